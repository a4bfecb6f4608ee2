# Shared by the bench scripts that run PostgreSQL and nginx (sourced, from the project's root):
#   pg_bench_dir NAME   sets `root` and `dir` (a fresh folder the cluster's user can reach), and
#                       on exit stops nginx, the jobs and the cluster in it and removes it
#   free_port           prints a free loopback port
#   start_nginx PORT_A PORT_B PORT CERT KEY
#                       nginx on PORT in front of servers on PORT_A and PORT_B, configured by
#                       deploy/nginx-percept.conf, its files in $dir
pg_bench_dir() {
  root=$(pwd)
  dir=$(mktemp -d "/tmp/percept-$1-XXXXXX")
  chmod 711 "$dir"  # the cluster's own user reaches its folder inside
  trap pg_bench_cleanup EXIT
}

pg_bench_cleanup() {
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2> /dev/null
  kill $(jobs -p) 2> /dev/null || true
  bash "$root/scripts/pg-throwaway.sh" stop "$dir/pg"
  rm -rf "$dir"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_nginx() {
  command -v nginx > /dev/null || { echo "nginx is missing (bash scripts/install-deps.sh)" >&2; exit 1; }
  local temp
  for temp in client-body proxy fastcgi uwsgi scgi; do
    mkdir -p "$dir/$temp"
    chmod 777 "$dir/$temp"
  done
  sed -e "s|@DIR@|$dir|g" -e "s|@PORT_A@|$1|" -e "s|@PORT_B@|$2|" -e "s|@PORT@|$3|" \
    -e "s|@CERT@|$4|" -e "s|@KEY@|$5|" deploy/nginx-percept.conf > "$dir/nginx.conf"
  nginx -c "$dir/nginx.conf" -p "$dir" &
  for _ in $(seq 100); do [ -f "$dir/nginx.pid" ] && return; sleep 0.05; done
  echo "nginx did not start" >&2
  exit 1
}
