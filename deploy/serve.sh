#!/usr/bin/env bash
# Serve Gradscape to a class from one command: N `streamlit run app.py` replicas on loopback
# ports and Debian's nginx in front of them on one port.
#
#   bash deploy/serve.sh --replicas N --port P [--host H]
#
# It runs in the foreground, prints one line once every replica answers its health check, and
# stops everything it started on Ctrl-C (SIGINT), SIGTERM or SIGHUP. nginx runs as this user's
# process: its configuration, pid file, logs and temporary files live in a temporary folder that
# goes when it stops. $PYTHON (default python3) runs Streamlit; $NGINX (default /usr/sbin/nginx).
#
# Routing: a browser's first request goes to the replica with the fewest open connections (a
# session's websocket is one), and the answer sets the cookie gradscape_replica to the replica
# that served it; later requests with that cookie go to that replica, so a session's websocket
# and its media files (downloads, exports) stay together. A whole class behind one school
# address is spread this way, unlike ip_hash. A replica that refuses or times out is taken out
# for 10 s (passive health) and its students' requests go to the others, whose answers move
# their cookie there.
set -euo pipefail

MAX_REPLICAS=16
ARGUMENTS="--replicas N (1 to $MAX_REPLICAS), --port P (1 to 65535), --host H (default 0.0.0.0)"

bad_argument() {
    echo "serve.sh: $1" >&2
    exit 2
}

whole_number_in() {  # value low high
    [[ $1 =~ ^[0-9]+$ ]] && ((10#$1 >= $2 && 10#$1 <= $3))
}

replicas="" port="" host="0.0.0.0"
while (($#)); do
    case $1 in
        --replicas | --port | --host)
            (($# >= 2)) || bad_argument "$1 needs a value; allowed: $ARGUMENTS"
            printf -v "${1#--}" '%s' "$2"
            shift 2
            ;;
        --replicas=* | --port=* | --host=*)
            name=${1%%=*}
            printf -v "${name#--}" '%s' "${1#*=}"
            shift
            ;;
        *) bad_argument "unknown argument '$1'; allowed: $ARGUMENTS" ;;
    esac
done
[[ -n $replicas ]] || bad_argument "--replicas is required: a whole number from 1 to $MAX_REPLICAS"
[[ -n $port ]] || bad_argument "--port is required: a whole number from 1 to 65535"
whole_number_in "$replicas" 1 "$MAX_REPLICAS" ||
    bad_argument "--replicas '$replicas' is not allowed: a whole number from 1 to $MAX_REPLICAS"
whole_number_in "$port" 1 65535 ||
    bad_argument "--port '$port' is not allowed: a whole number from 1 to 65535"
[[ $host =~ ^[A-Za-z0-9.-]+$ || $host =~ ^\[[0-9A-Fa-f:.]+\]$ ]] ||
    bad_argument "--host '$host' is not allowed: an IPv4 address, an [IPv6] address in brackets or a host name (letters, digits, dots, hyphens)"
replicas=$((10#$replicas))
port=$((10#$port))

cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
nginx=${NGINX:-/usr/sbin/nginx}
[[ -x $nginx ]] || { echo "serve.sh: nginx not found at $nginx: run deploy/install.sh (or apt-get install nginx)" >&2; exit 1; }

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/gradscape-serve.XXXXXX")
chmod 755 "$run_dir"  # nginx's workers run as nobody when it is started as root
started=()            # the process group of everything started (each child leads its own)

stop_all() {
    trap '' INT TERM HUP  # a second Ctrl-C or SIGTERM must not cut the clean-up short
    trap - EXIT
    local pid group_alive
    for pid in "${started[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    for _ in {1..100}; do  # up to 10 s for a clean exit
        group_alive=0
        for pid in "${started[@]}"; do kill -0 -- "-$pid" 2>/dev/null && group_alive=1; done
        ((group_alive)) || break
        sleep 0.1
    done
    for pid in "${started[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$run_dir"
}
trap stop_all EXIT
trap 'exit 0' INT TERM HUP

show_log() {  # what a process said before it failed
    echo "serve.sh: the last lines of $(basename "$1"):" >&2
    tail -n 20 "$1" >&2 || true
}

healthy() {  # host port: does /_stcore/health answer 200? (bash's /dev/tcp: no curl needed)
    local status
    status=$(
        exec 2>/dev/null 3<>"/dev/tcp/$1/$2" || exit 1
        printf 'GET /_stcore/health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
        IFS= read -r -t 5 line <&3 && printf '%s' "$line"
    ) || return 1
    [[ $status == "HTTP/1."?" 200 "* ]]
}

# Free loopback ports for the replicas (held together while chosen, so all differ), not P.
mapfile -t ports < <("$python" - "$replicas" "$port" <<'PYTHON'
import socket
import sys

count, front = int(sys.argv[1]), int(sys.argv[2])
held = []
while len(held) < count:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    if sock.getsockname()[1] != front:
        held.append(sock)
print("\n".join(str(sock.getsockname()[1]) for sock in held))
PYTHON
)
((${#ports[@]} == replicas)) || { echo "serve.sh: could not find $replicas free loopback ports with $python" >&2; exit 1; }

# nginx's configuration: one upstream per replica (its own server first, the others as backup)
# for sessions holding a cookie, and one over all of them for first visits.
cookie_routes="" answered_by="" upstreams="" all_servers=""
for i in "${!ports[@]}"; do
    name=r$((i + 1))
    cookie_routes+="        $name gradscape_$name;"$'\n'
    answered_by+="        \"~127\\.0\\.0\\.1:${ports[i]}\$\" $name;"$'\n'
    all_servers+="        server 127.0.0.1:${ports[i]} max_fails=1 fail_timeout=10s;"$'\n'
    upstreams+="    upstream gradscape_$name {"$'\n'"        zone gradscape_$name 64k;"$'\n'
    upstreams+="        server 127.0.0.1:${ports[i]} max_fails=1 fail_timeout=10s;"$'\n'
    for j in "${!ports[@]}"; do
        ((j == i)) || upstreams+="        server 127.0.0.1:${ports[j]} backup;"$'\n'
    done
    upstreams+="    }"$'\n'
done
user_line=""
[[ $(id -u) == 0 ]] && user_line="user nobody nogroup;"
listen_host=$host
[[ $host == 0.0.0.0 ]] && listen_host="*"
cat >"$run_dir/nginx.conf" <<NGINX
daemon off;
$user_line
worker_processes auto;
pid $run_dir/nginx.pid;
error_log $run_dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log $run_dir/access.log;
    client_body_temp_path $run_dir/client_body;
    proxy_temp_path $run_dir/proxy;
    fastcgi_temp_path $run_dir/fastcgi;
    uwsgi_temp_path $run_dir/uwsgi;
    scgi_temp_path $run_dir/scgi;
    map \$http_upgrade \$connection_upgrade { default upgrade; "" close; }
    map \$cookie_gradscape_replica \$gradscape_upstream {
        default gradscape_any;
$cookie_routes    }
    # the replica that answered (the last address where nginx tried more than one)
    map \$upstream_addr \$gradscape_replica {
        default "";
$answered_by    }
    map \$gradscape_replica \$gradscape_cookie {
        "" "";
        default "gradscape_replica=\$gradscape_replica; Path=/; HttpOnly; SameSite=Lax";
    }
    upstream gradscape_any {
        zone gradscape_any 64k;
        least_conn;
$all_servers    }
$upstreams
    server {
        listen $listen_host:$port;
        proxy_http_version 1.1;
        proxy_set_header Host \$http_host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_connect_timeout 3s;
        proxy_read_timeout 30s;
        add_header X-Gradscape-Replica \$gradscape_replica always;
        add_header Set-Cookie \$gradscape_cookie always;
        location / {
            proxy_pass http://\$gradscape_upstream;
        }
        # a session's websocket: upgraded, and open as long as the class (Streamlit pings it)
        location /_stcore/stream {
            proxy_pass http://\$gradscape_upstream;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
        }
    }
}
NGINX

# Each child leads a process group of its own (setsid), so stopping it stops what it started
# too (an export's Chromium); replicas share a cookie secret, so a session that moves to another
# replica keeps a valid XSRF token.
export STREAMLIT_SERVER_COOKIE_SECRET=${STREAMLIT_SERVER_COOKIE_SECRET:-$("$python" -c 'import secrets; print(secrets.token_hex(32))')}
# Python's own small-object allocator keeps a page while one object on it lives, so a replica
# stayed 150 MB above its idle size after a class left; with the C library's, whose free pages
# the sweeper hands back (scene/cache.py), it came back within 40 MB (measured with 30 students).
export PYTHONMALLOC=${PYTHONMALLOC:-malloc}
setsid "$nginx" -p "$run_dir/" -c "$run_dir/nginx.conf" -e "$run_dir/error.log" \
    >"$run_dir/nginx.out" 2>&1 &
nginx_pid=$!
started+=("$nginx_pid")
replica_pids=()
for i in "${!ports[@]}"; do
    setsid "$python" -m streamlit run app.py --server.address 127.0.0.1 \
        --server.port "${ports[i]}" --server.headless true --server.fileWatcherType none \
        >"$run_dir/replica-$((i + 1)).log" 2>&1 &
    replica_pids+=("$!")
    started+=("$!")
done

check_host=$host
[[ $host == 0.0.0.0 ]] && check_host=127.0.0.1
[[ $host == "[::]" ]] && check_host="::1"
check_host=${check_host#[}
check_host=${check_host%]}
ready=0
for _ in {1..600}; do  # up to about two minutes
    if ! kill -0 "$nginx_pid" 2>/dev/null; then
        echo "serve.sh: nginx did not start on $host:$port" >&2
        show_log "$run_dir/error.log"
        exit 1
    fi
    ready=1
    for i in "${!ports[@]}"; do
        if ! kill -0 "${replica_pids[i]}" 2>/dev/null; then
            echo "serve.sh: replica $((i + 1)) (port ${ports[i]}) exited while starting" >&2
            show_log "$run_dir/replica-$((i + 1)).log"
            exit 1
        fi
        healthy 127.0.0.1 "${ports[i]}" || ready=0
    done
    ((ready)) && healthy "$check_host" "$port" && break
    ready=0
    sleep 0.2
done
((ready)) || { echo "serve.sh: not every replica answered /_stcore/health within two minutes" >&2; exit 1; }

shown_host=$host
[[ $host == 0.0.0.0 ]] && shown_host=$(hostname)
noun=replicas
((replicas == 1)) && noun=replica
echo "Gradscape: $replicas $noun ready at http://$shown_host:$port"

# Serve until stopped. A replica that exits is reported and left out (nginx sends its students
# to the others); nginx exiting, or the last replica, ends it all.
running=("${replica_pids[@]}")
while :; do
    status=0
    # (bash's own "Killed" notice for a job is not wanted: the line below says it)
    wait -n -p ended "$nginx_pid" "${running[@]}" 2>/dev/null || status=$?
    if [[ $ended == "$nginx_pid" ]]; then
        echo "serve.sh: nginx exited (status $status); stopping the replicas" >&2
        show_log "$run_dir/error.log"
        exit 1
    fi
    for i in "${!replica_pids[@]}"; do
        [[ ${replica_pids[i]} == "$ended" ]] &&
            echo "serve.sh: replica $((i + 1)) (port ${ports[i]}) exited (status $status); nginx sends its students to the others" >&2
    done
    left=()
    for pid in "${running[@]}"; do [[ $pid == "$ended" ]] || left+=("$pid"); done
    running=("${left[@]}")
    ((${#running[@]})) || { echo "serve.sh: no replica left; stopping nginx" >&2; exit 1; }
done
