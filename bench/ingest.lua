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

local parts  -- the template cut around the instance_id and the two institution ids

function init(args)
  local f = assert(io.open(os.getenv("PERCEPT_BODY") or "docs/example-submission.json", "r"))
  template = f:read("*a")
  if not os.getenv("PERCEPT_CONTENT_TYPE") then template = template:gsub("%s*\n%s*", " ") end
  f:close()
  -- Cut once here, so that each request only concatenates: the load generator shares the
  -- server's two cores, and every cycle it spends is one the server does not get.
  local marked = template:gsub("0b9e6f0e%-6f5c%-4a51%-9a59%-6f4a3c8e2b71", "\1"):gsub("cesfam%-tal%-1", "\2"):gsub("omil%-tal", "\3")
  parts = {}
  for piece in (marked .. "\4"):gmatch("([^\1\2\3\4]*)[\1\2\3\4]") do table.insert(parts, piece) end
  assert(#parts == 4, "the example interview must hold its instance_id and both institution ids once")
  wrk.method = "POST"
  if os.getenv("PERCEPT_CONTENT_TYPE") then
    -- OpenRosa (bench/openrosa.sh): a multipart body; the token is in the URL's path.
    wrk.headers["Content-Type"] = os.getenv("PERCEPT_CONTENT_TYPE")
    wrk.headers["X-OpenRosa-Version"] = "1.0"
  else
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("PERCEPT_TOKEN")
  end
end

-- The demo network: each interview evaluates two different institutions drawn from it, so
-- that group commit updates the aggregates of many cells, as a real wave does.
local institutions = {}
for _, commune in ipairs({"stgo", "pa", "tal", "tem"}) do
  for _, kind in ipairs({"omil-", "dideco-", "uif-", "rc-", "chileatiende-"}) do
    table.insert(institutions, kind .. commune)
  end
end

function request()
  counter = counter + 1
  local id = string.format("%08x-0000-4000-8%03x-%012x", os.time() % 0xffffffff, thread_id, counter)
  local a = institutions[math.random(#institutions)]
  local b = a
  while b == a do b = institutions[math.random(#institutions)] end
  return wrk.format(nil, nil, nil, parts[1] .. id .. parts[2] .. a .. parts[3] .. b .. parts[4])
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
