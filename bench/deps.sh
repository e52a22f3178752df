#!/bin/bash
# bench/deps.sh COMMAND:PACKAGE...: install from Debian each package whose
# command is missing. As root with apt-get it installs them; otherwise it
# names them and fails. Services that a package would start (nginx,
# lighttpd) are kept from starting: the bench runs its own instances.
set -eu

missing=()
for pair in "$@"; do
	cmd=${pair%%:*} pkg=${pair#*:}
	PATH=$PATH:/usr/sbin:/sbin command -v "$cmd" >/dev/null || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "bench needs: ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
	exit 1
fi

# Debian's policy-rc.d hook: exit 101 means "do not start services".
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy
	chmod 755 $policy
	trap 'rm -f $policy' EXIT
fi
echo "installing: ${missing[*]}"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
