-- wrk script for bench/ingest.sh: POSTs the example interview, each with a new instance_id,
-- so that every request is a durable insert (never a duplicate).
local counter = 0
-- thread_id is a global that setup() gives each thread (a local here would shadow it).

local threads = {}
local template

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("PERCEPT_BODY") or "docs/example-submission.json", "r"))
  template = f:read("*a"):gsub("%s*\n%s*", " ")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("PERCEPT_TOKEN")
end

function request()
  counter = counter + 1
  local id = string.format("%08x-0000-4000-8%03x-%012x", os.time() % 0xffffffff, thread_id, counter)
  local body = template:gsub("0b9e6f0e%-6f5c%-4a51%-9a59%-6f4a3c8e2b71", id)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
                 summary.errors.write + summary.errors.timeout
  io.write(string.format("requests      %d in %.1f s, errors %d (non-2xx %d)\n",
                         summary.requests, secs, errors, summary.errors.status))
  io.write(string.format("throughput    %.0f durable submissions/s\n", (summary.requests - errors) / secs))
  io.write(string.format("latency       p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   max %.2f ms\n",
                         latency:percentile(50) / 1000, latency:percentile(90) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000))
end
