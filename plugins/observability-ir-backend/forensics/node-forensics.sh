#!/bin/sh
# Node forensics for one container: finds it through the container runtime,
# enters its network namespace and reads its memory cgroup. Input comes only
# from the flags below, each checked before use; the output format is
# described in README.md next to this file.
#
# Runs under POSIX sh (busybox ash, dash, bash). Needs root on the node with
# the host's PID namespace (hostPID) and SYS_ADMIN + SYS_PTRACE for nsenter.

FORMAT_VERSION=1

usage() {
  cat <<'EOF'
Usage: node-forensics.sh [options]

Which container (at least --container-id, or --container-name with --pod-uid):
  --container-id ID         container id from the pod's status, 64 hex digits
                            (12 at least), optionally prefixed containerd://,
                            cri-o:// or docker://
  --container-name NAME     the container's name in the pod spec (DNS label)
  --pod-uid UID             the pod's metadata.uid
  --pod-name NAME           the pod's name (informational)
  --pod-namespace NAME      the pod's namespace (informational)
  --node-name NAME          the pod's node as Kubernetes names it (informational;
                            the report's node, else the host name)

Where things are on the node:
  --runtime-endpoint EP     CRI socket, unix:///path or /path
                            (default: $CONTAINER_RUNTIME_ENDPOINT, else
                            unix:///run/containerd/containerd.sock)
  --ctr-namespace NAME      containerd namespace for ctr (default: k8s.io)
  --host-proc DIR           the host's /proc (default: /proc)
  --cgroup-root DIR         the host's cgroup mount (default: /sys/fs/cgroup)
  --command-timeout SECS    limit for each command (default: 20)
  -h, --help                this text

Exit status: 0 when the report was printed (also when the container or its
PID was not found: the report says so), 2 for invalid arguments.
EOF
}

fail_usage() {
  echo "node-forensics: $1" >&2
  echo "node-forensics: see --help" >&2
  exit 2
}

# --- input validation (pure POSIX pattern matching, no eval) ---------------

is_dns_label() {
  case $1 in '' | -* | *- | *[!a-z0-9-]*) return 1 ;; esac
  [ ${#1} -le 63 ]
}

is_dns_subdomain() {
  case $1 in '' | [-.]* | *[-.] | *[!a-z0-9.-]*) return 1 ;; esac
  [ ${#1} -le 253 ]
}

is_uid() {
  case $1 in
  [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])
    return 0 ;;
  esac
  return 1
}

is_hex_id() {
  case $1 in '' | *[!0-9a-f]*) return 1 ;; esac
  [ ${#1} -ge 12 ] && [ ${#1} -le 64 ]
}

is_safe_path() {
  case $1 in /*) ;; *) return 1 ;; esac
  case $1 in *[!A-Za-z0-9/._-]* | *..*) return 1 ;; esac
  return 0
}

is_number() {
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  return 0
}

container_id=''
container_name=''
pod_uid=''
pod_name=''
pod_namespace=''
node_name=''
runtime_endpoint=${CONTAINER_RUNTIME_ENDPOINT:-unix:///run/containerd/containerd.sock}
ctr_namespace=k8s.io
host_proc=/proc
cgroup_root=/sys/fs/cgroup
command_timeout=20

while [ $# -gt 0 ]; do
  case $1 in
  -h | --help)
    usage
    exit 0
    ;;
  --container-id | --container-name | --pod-uid | --pod-name | --pod-namespace | --node-name | \
    --runtime-endpoint | --ctr-namespace | --host-proc | --cgroup-root | --command-timeout)
    [ $# -ge 2 ] || fail_usage "$1 needs a value"
    case $1 in
    --container-id) container_id=$2 ;;
    --container-name) container_name=$2 ;;
    --pod-uid) pod_uid=$2 ;;
    --pod-name) pod_name=$2 ;;
    --pod-namespace) pod_namespace=$2 ;;
    --node-name) node_name=$2 ;;
    --runtime-endpoint) runtime_endpoint=$2 ;;
    --ctr-namespace) ctr_namespace=$2 ;;
    --host-proc) host_proc=$2 ;;
    --cgroup-root) cgroup_root=$2 ;;
    --command-timeout) command_timeout=$2 ;;
    esac
    shift 2
    ;;
  *) fail_usage "unknown argument (only the documented flags are accepted)" ;;
  esac
done

if [ -n "$container_id" ]; then
  raw_id=$container_id
  case $raw_id in
  containerd://* | cri-o://* | docker://*) raw_id=${raw_id#*://} ;;
  esac
  is_hex_id "$raw_id" ||
    fail_usage "invalid --container-id: expected 12 to 64 lowercase hex digits, optionally prefixed containerd://, cri-o:// or docker://"
  container_id=$raw_id
fi
# The id as the pod's status gave it, before any search.
given_id=$container_id
if [ -n "$container_name" ]; then
  is_dns_label "$container_name" ||
    fail_usage "invalid --container-name: expected a DNS label (lowercase letters, digits and '-', at most 63)"
fi
if [ -n "$pod_uid" ]; then
  is_uid "$pod_uid" || fail_usage "invalid --pod-uid: expected a lowercase UUID"
fi
if [ -n "$pod_name" ]; then
  is_dns_subdomain "$pod_name" || fail_usage "invalid --pod-name: expected a DNS subdomain"
fi
if [ -n "$pod_namespace" ]; then
  is_dns_label "$pod_namespace" || fail_usage "invalid --pod-namespace: expected a DNS label"
fi
if [ -n "$node_name" ]; then
  is_dns_subdomain "$node_name" || fail_usage "invalid --node-name: expected a DNS subdomain"
fi
is_dns_subdomain "$ctr_namespace" || fail_usage "invalid --ctr-namespace: expected a DNS subdomain"
socket_path=${runtime_endpoint#unix://}
is_safe_path "$socket_path" ||
  fail_usage "invalid --runtime-endpoint: expected unix:///absolute/path or /absolute/path"
is_safe_path "$host_proc" || fail_usage "invalid --host-proc: expected an absolute path"
is_safe_path "$cgroup_root" || fail_usage "invalid --cgroup-root: expected an absolute path"
is_number "$command_timeout" && [ "$command_timeout" -gt 0 ] ||
  fail_usage "invalid --command-timeout: expected a positive number of seconds"
if [ -z "$container_id" ] && { [ -z "$container_name" ] || [ -z "$pod_uid" ]; }; then
  fail_usage "give --container-id, or --container-name with --pod-uid"
fi

# --- output helpers ---------------------------------------------------------

section_begin() { echo "=== section: $1 ==="; }
section_end() { echo "=== end: $1 exit=$2 ==="; }

have() { command -v "$1" >/dev/null 2>&1; }

# Runs a command (with a time limit when `timeout` exists) and stores its
# combined output in $out and its exit status in $status.
capture() {
  if have timeout; then
    out=$(timeout "$command_timeout" "$@" 2>&1)
  else
    out=$("$@" 2>&1)
  fi
  status=$?
}

# Runs a command and prints it as a section.
run_section() {
  name=$1
  shift
  section_begin "$name"
  echo "\$ $*"
  capture "$@"
  [ -n "$out" ] && printf '%s\n' "$out"
  section_end "$name" "$status"
}

# Prints a file as a section; a missing file is reported with status 1.
file_section() {
  section_begin "$1"
  if [ -r "$2" ]; then
    cat "$2"
    section_end "$1" 0
  else
    echo "not readable: $2"
    section_end "$1" 1
  fi
}

echo "=== node-forensics format=$FORMAT_VERSION ==="

section_begin meta
echo "format: $FORMAT_VERSION"
echo "started-at: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
# Without the host's network namespace the host name is the pod's own.
echo "node: ${node_name:-$(cat /proc/sys/kernel/hostname 2>/dev/null)}"
echo "kernel: $(uname -r 2>/dev/null)"
echo "container-id: ${container_id:-none}"
echo "container-name: ${container_name:-none}"
echo "pod-uid: ${pod_uid:-none}"
echo "pod-name: ${pod_name:-none}"
echo "pod-namespace: ${pod_namespace:-none}"
echo "runtime-endpoint: $runtime_endpoint"
echo "host-proc: $host_proc"
echo "cgroup-root: $cgroup_root"
section_end meta 0

# --- find the container and its PID ----------------------------------------

found_by=''
pid=''
state=''

first_hex_line() {
  printf '%s\n' "$1" | while IFS= read -r line; do
    if is_hex_id "$line"; then
      echo "$line"
      break
    fi
  done
}

# crictl: by name and pod UID (newest first), then `inspect` for info.pid.
if have crictl; then
  if [ -z "$container_id" ]; then
    run_section crictl-ps crictl --runtime-endpoint "$runtime_endpoint" ps \
      --name "^${container_name}\$" --label "io.kubernetes.pod.uid=$pod_uid" -q
    [ "$status" -eq 0 ] && container_id=$(first_hex_line "$out")
    if [ -z "$container_id" ]; then
      run_section crictl-ps-all crictl --runtime-endpoint "$runtime_endpoint" ps -a \
        --name "^${container_name}\$" --label "io.kubernetes.pod.uid=$pod_uid" -q
      [ "$status" -eq 0 ] && container_id=$(first_hex_line "$out")
    fi
    [ -n "$container_id" ] && found_by=crictl
  fi
  if [ -n "$container_id" ]; then
    run_section crictl-inspect crictl --runtime-endpoint "$runtime_endpoint" inspect "$container_id"
    if [ "$status" -eq 0 ]; then
      [ -z "$found_by" ] && found_by=crictl
      # The first "pid" key of the pretty-printed JSON is info.pid.
      pid=$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"pid":[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
      state=$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"state":[[:space:]]*"\(CONTAINER_[A-Z]*\)".*/\1/p' | head -n 1)
      case $state in
      CONTAINER_RUNNING) state=running ;;
      CONTAINER_EXITED) state=exited ;;
      CONTAINER_CREATED) state=created ;;
      *) state=unknown ;;
      esac
      [ "$pid" = 0 ] && pid=''
    fi
    # The id came from the pod's status; the container may have restarted
    # since. Look for a running instance by name and pod UID.
    if [ -z "$pid" ] && [ -n "$given_id" ] && [ -n "$container_name" ] && [ -n "$pod_uid" ]; then
      run_section crictl-ps-restarted crictl --runtime-endpoint "$runtime_endpoint" ps \
        --name "^${container_name}\$" --label "io.kubernetes.pod.uid=$pod_uid" -q
      newer=''
      [ "$status" -eq 0 ] && newer=$(first_hex_line "$out")
      if [ -n "$newer" ] && [ "$newer" != "$container_id" ]; then
        run_section crictl-inspect-restarted crictl --runtime-endpoint "$runtime_endpoint" inspect "$newer"
        if [ "$status" -eq 0 ]; then
          newer_pid=$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"pid":[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
          if [ -n "$newer_pid" ] && [ "$newer_pid" != 0 ]; then
            container_id=$newer
            pid=$newer_pid
            state=running
          fi
        fi
      fi
    fi
  fi
fi

# ctr (containerd): by the kubelet's labels, then `task ls` for the PID.
if [ -z "$pid" ] && have ctr; then
  candidates=$container_id
  # By the kubelet's labels: to find it without an id, or a restarted
  # instance of the one the pod's status named.
  if [ -n "$container_name" ] && [ -n "$pod_uid" ]; then
    run_section ctr-containers ctr --address "$socket_path" --namespace "$ctr_namespace" containers ls -q \
      "labels.\"io.kubernetes.container.name\"==$container_name,labels.\"io.kubernetes.pod.uid\"==$pod_uid"
    [ "$status" -eq 0 ] && candidates="$candidates $out"
  fi
  run_section ctr-task-ls ctr --address "$socket_path" --namespace "$ctr_namespace" tasks ls
  if [ "$status" -eq 0 ]; then
    tasks=$out
    # Prefer a candidate whose task runs; else keep the first one found.
    for candidate in $candidates; do
      is_hex_id "$candidate" || continue
      line=$(printf '%s\n' "$tasks" | awk -v id="$candidate" '$1 == id { print $2, $3 }')
      if [ -n "$line" ]; then
        task_pid=${line%% *}
        task_status=${line#* }
        if [ "$task_status" = RUNNING ]; then
          container_id=$candidate
          pid=$task_pid
          state=running
          found_by=${found_by:-ctr}
          break
        fi
        if [ -z "$container_id" ]; then
          container_id=$candidate
          state=$(echo "$task_status" | tr 'A-Z' 'a-z')
          found_by=ctr
        fi
      elif [ -z "$container_id" ]; then
        container_id=$candidate
        state=exited
        found_by=ctr
      fi
    done
  fi
fi

# /proc/*/cgroup: the lowest PID whose cgroup names the container id.
if [ -z "$pid" ] && [ -n "$container_id" ]; then
  section_begin proc-cgroup-scan
  echo "\$ grep -l $container_id $host_proc/*/cgroup"
  pids=''
  for f in "$host_proc"/[0-9]*/cgroup; do
    [ -r "$f" ] || continue
    if grep -q "$container_id" "$f" 2>/dev/null; then
      p=${f%/cgroup}
      pids="$pids ${p##*/}"
    fi
  done
  scan_status=1
  if [ -n "$pids" ]; then
    pid=$(for p in $pids; do echo "$p"; done | sort -n | head -n 1)
    echo "pids:$pids"
    found_by=${found_by:-proc}
    state=running
    scan_status=0
  fi
  section_end proc-cgroup-scan "$scan_status"
fi

if [ -n "$given_id" ] && [ -n "$pid" ] && [ "$container_id" != "$given_id" ]; then
  pid_note="container $given_id no longer runs; its restarted instance $container_id does"
fi

# A PID is only useful while that process lives.
if [ -n "$pid" ] && [ ! -d "$host_proc/$pid" ]; then
  pid_note="pid $pid no longer exists"
  pid=''
  state=exited
fi

section_begin target
echo "container-id: ${container_id:-none}"
echo "found-by: ${found_by:-none}"
echo "pid: ${pid:-none}"
echo "state: ${state:-unknown}"
[ -n "${pid_note:-}" ] && echo "note: $pid_note"
if [ -n "$container_id" ]; then target_status=0; else target_status=1; fi
section_end target "$target_status"

# --- the network namespace --------------------------------------------------

if [ -n "$pid" ]; then
  run_section ip-addr nsenter -t "$pid" -n -- ip addr
  if have ss; then
    run_section ss-ltnp nsenter -t "$pid" -n -- ss -ltnp
  else
    run_section netstat-plnt nsenter -t "$pid" -n -- netstat -plnt
    # busybox builds without -p: the listening sockets without owners.
    [ "$status" -ne 0 ] && run_section netstat-lnt nsenter -t "$pid" -n -- netstat -lnt
  fi
  file_section proc-status "$host_proc/$pid/status"
  file_section proc-cgroup "$host_proc/$pid/cgroup"
fi

# --- the memory cgroup ------------------------------------------------------

cgroup_version=''
memory_root=''
if [ -f "$cgroup_root/cgroup.controllers" ]; then
  cgroup_version=2
  memory_root=$cgroup_root
elif [ -d "$cgroup_root/memory" ]; then
  cgroup_version=1
  memory_root=$cgroup_root/memory
fi

container_cgroup=''
if [ -n "$cgroup_version" ] && [ -n "$pid" ] && [ -r "$host_proc/$pid/cgroup" ]; then
  if [ "$cgroup_version" = 2 ]; then
    relative=$(sed -n 's/^0::\(.*\)$/\1/p' "$host_proc/$pid/cgroup" | head -n 1)
  else
    relative=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { sub(/^[^:]*:[^:]*:/, ""); print; exit }' "$host_proc/$pid/cgroup")
  fi
  case $relative in
  /*) [ -d "$memory_root$relative" ] && container_cgroup=$memory_root$relative ;;
  esac
  # /proc/PID/cgroup shows paths relative to our cgroup namespace: when the
  # path is not under the mount, search by container id below.
fi
if [ -n "$cgroup_version" ] && [ -z "$container_cgroup" ] && [ -n "$container_id" ]; then
  container_cgroup=$(find "$memory_root" -maxdepth 8 -type d -name "*$container_id*" 2>/dev/null | head -n 1)
fi

pod_cgroup=''
if [ -n "$pod_uid" ] && [ -n "$cgroup_version" ]; then
  pod_uid_underscored=$(echo "$pod_uid" | tr - _)
  if [ -n "$container_cgroup" ]; then
    parent=${container_cgroup%/*}
    case ${parent##*/} in
    *pod"$pod_uid"* | *pod"$pod_uid_underscored"*) pod_cgroup=$parent ;;
    esac
  fi
  if [ -z "$pod_cgroup" ]; then
    pod_cgroup=$(find "$memory_root" -maxdepth 6 -type d -name "*pod$pod_uid*" 2>/dev/null | head -n 1)
  fi
  if [ -z "$pod_cgroup" ]; then
    pod_cgroup=$(find "$memory_root" -maxdepth 6 -type d -name "*pod$pod_uid_underscored*" 2>/dev/null | head -n 1)
  fi
fi

section_begin cgroup
echo "version: ${cgroup_version:-unknown}"
echo "memory-root: ${memory_root:-none}"
echo "container: ${container_cgroup:-none}"
echo "pod: ${pod_cgroup:-none}"
if [ -n "$container_cgroup" ] || [ -n "$pod_cgroup" ]; then cgroup_status=0; else cgroup_status=1; fi
section_end cgroup "$cgroup_status"

memory_files() {
  scope=$1
  dir=$2
  if [ "$cgroup_version" = 2 ]; then
    files='memory.events memory.max memory.current memory.peak'
  else
    files='memory.oom_control memory.limit_in_bytes memory.usage_in_bytes memory.max_usage_in_bytes memory.failcnt'
  fi
  for file in $files; do
    # memory.peak is recent (Linux 5.19); skip what the kernel lacks.
    [ "$file" = memory.peak ] && [ ! -e "$dir/$file" ] && continue
    file_section "cgroup/$scope/$file" "$dir/$file"
  done
}

[ -n "$container_cgroup" ] && memory_files container "$container_cgroup"
[ -n "$pod_cgroup" ] && memory_files pod "$pod_cgroup"

echo "=== done ==="
exit 0
