#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The layers of user/ (docs/architecture.md): which folder's files may
# include the headers of which other folders. A file may include its own
# folder's headers, those of the folders its folder uses (and what they use
# in turn), and the project-wide ones of include/ (perfpilot.h, version.h).
# Headers are named by their folder, as in #include "collect/watch.h".
#
#   tools/check-layers.sh [DIR]       check the includes of DIR (default
#                                     user/): one line per include that goes
#                                     the wrong way, exit 1 if there is one
#   tools/check-layers.sh --self-test [-v]
#                                     plant wrong-way includes in copies of
#                                     user/ and check that each is caught
#                                     (-v: show what the check says)
#   tools/check-layers.sh --libs FILE...
#                                     the folders whose code FILE (a unit
#                                     test) may link: those it includes and
#                                     what they use, from the top down
set -u

# The folders from the top down; "user" is user/ itself: main.c and the
# command line every command shares (cli, args).
ORDER=(cmd user daemon tune record report capacity findings store live formats profile unwind symbols collect analysis)

# The folders each folder uses directly; it may also include what those use.
declare -A USES=(
	[cmd]="user daemon tune record report capacity findings store live formats profile unwind symbols collect analysis"
	[daemon]="tune record capacity"
	[tune]="collect analysis"
	[user]="collect"
	[record]="report findings store formats profile symbols collect"
	[report]="capacity findings store formats analysis"
	[capacity]="store analysis collect"
	[findings]="store analysis"
	[store]="formats"
	[live]="collect"
	[formats]="profile"
	[profile]="unwind symbols collect"
	[unwind]="symbols"
	[symbols]=""
	[collect]=""
	[analysis]=""
)

ROOT=$(cd "$(dirname "$0")/.." && pwd)

# What folder $1 may include, into $may: the folders of USES, and what
# those use in turn, in the order of ORDER (" a b c ").
allowed() {
	local todo=() more=() f
	local -A seen=()
	read -ra todo <<<"${USES[$1]}"
	while ((${#todo[@]})); do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		[[ -n ${seen[$f]+set} ]] && continue
		seen[$f]=1
		read -ra more <<<"${USES[$f]}"
		todo+=("${more[@]}")
	done
	may=" "
	for f in "${ORDER[@]}"; do
		[[ -n ${seen[$f]+set} ]] && may+="$f "
	done
	return 0
}

# The folder of the header an include names, into $to: "collect/watch.h"
# -> collect, "cli.h" -> user when dir $1 has it; empty when it is none of
# dir's (include/, generated skeletons, system headers).
include_folder() {
	local dir=$1 inc=$2
	to=
	if [[ $inc == ../* || $inc == ./* ]]; then
		: # relative: not a folder of dir (check() refuses them in user/)
	elif [[ $inc == */* ]]; then
		[[ -d $dir/${inc%%/*} ]] && to=${inc%%/*}
	elif [[ -f $dir/$inc ]]; then
		to=user
	fi
	return 0
}

INCLUDE_RE='^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)"'

# check DIR: every #include "..." of every .c and .h under DIR
check() {
	local dir=${1%/} bad=0 n=0 hit file line inc from to may list
	local -A ok=() uses=()

	for from in "${ORDER[@]}"; do
		allowed "$from"
		uses[$from]=$may
		ok[$from]=" $from$may"
	done
	while IFS= read -r hit; do
		file=${hit%%:*}
		hit=${hit#*:}
		line=${hit%%:*}
		[[ ${hit#*:} =~ $INCLUDE_RE ]] || continue
		inc=${BASH_REMATCH[1]}
		from=${file#"$dir"/}
		if [[ $from == */* ]]; then
			from=${from%%/*}
		else
			from=user
		fi
		if [[ -z ${ok[$from]+set} ]]; then
			echo "$file:$line: folder $from/ is not in the layer table of tools/check-layers.sh"
			bad=1
			continue
		fi
		n=$((n + 1))
		if [[ $inc == *../* ]]; then
			echo "$file:$line: \"$inc\": name a header by its folder (\"${inc##*../}\"), not by a relative path"
			bad=1
			continue
		fi
		if [[ $inc != */* && $from != user && -f ${file%/*}/$inc ]]; then
			echo "$file:$line: \"$inc\": name a header by its folder (\"$from/$inc\")"
			bad=1
			continue
		fi
		include_folder "$dir" "$inc"
		[[ -z $to ]] && continue
		if [[ -z ${ok[$to]+set} ]]; then
			echo "$file:$line: folder $to/ is not in the layer table of tools/check-layers.sh"
			bad=1
		elif [[ ${ok[$from]} != *" $to "* ]]; then
			read -ra list <<<"${uses[$from]}"
			printf -v may '%s/, ' "${list[@]}"
			((${#list[@]})) || may="no other folder, "
			echo "$file:$line: folder $from/ may not include $to/ (\"$inc\"); $from/ may use ${may%, }"
			bad=1
		fi
	done < <(grep -rnE --include='*.c' --include='*.h' "$INCLUDE_RE" "$dir" | sort -t: -k1,1 -k2,2n)
	[[ $bad == 0 ]] && echo "check-layers: $n includes in $dir/, none against the layers"
	return $bad
}

# the folders a unit test links, top down
libs() {
	local f inc to may out=" "
	for f in "$@"; do
		while IFS= read -r inc; do
			[[ $inc =~ $INCLUDE_RE ]] || continue
			include_folder "$ROOT/user" "${BASH_REMATCH[1]}"
			[[ -z $to ]] && continue
			allowed "$to"
			out+="$to$may"
		done < "$f"
	done
	for f in "${ORDER[@]}"; do
		[[ $out == *" $f "* ]] && printf '%s ' "$f"
	done
	echo
}

# Plant "#include $3" in a new file $2 of a fresh copy of user/ under $1
# and expect check to fail on it.
plant() {
	local tmp=$1 file=$2 inc=$3 out
	rm -rf "$tmp/user" && cp -r "$ROOT/user" "$tmp/user" || return 1
	printf '// planted by tools/check-layers.sh --self-test\n#include %s\n' "$inc" >"$tmp/user/$file"
	if out=$(check "$tmp/user"); then
		echo "check-layers self-test: FAILED: #include $inc in user/$file was not caught"
		return 1
	fi
	if [[ $out != "$tmp/user/$file:2: "* || $out == *$'\n'* ]]; then
		echo "check-layers self-test: FAILED: #include $inc in user/$file; the check said:"
		echo "$out"
		return 1
	fi
	[[ -n $verbose ]] && echo "${out#"$tmp"/}"
	return 0
}

# Wrong-way includes planted one at a time in copies of user/, each to be
# caught; and user/ as it is must pass.
self_test() {
	local tmp rc=0 verbose=${1:-}
	tmp=$(mktemp -d) || return 1
	trap 'rm -rf "$tmp"' RETURN
	cp -r "$ROOT/user" "$tmp/user" || return 1
	if ! check "$tmp/user" >/dev/null; then
		echo "check-layers self-test: FAILED: user/ as it is does not pass"
		return 1
	fi
	plant "$tmp" store/planted.c '"record/write.h"' || rc=1     # the store below the recording
	plant "$tmp" analysis/planted.c '"findings/findings.h"' || rc=1 # analysis is pure
	plant "$tmp" collect/planted.h '"cli.h"' || rc=1            # collectors below the command line
	plant "$tmp" symbols/planted.c '"profile/stackset.h"' || rc=1 # symbols below the profilers
	plant "$tmp" formats/planted.c '"../profile/stackset.h"' || rc=1 # no relative paths
	plant "$tmp" profile/planted.c '"stackset.h"' || rc=1       # nor unqualified ones
	plant "$tmp" tune/planted.c '"cli.h"' || rc=1               # the tuner below the command line
	[[ $rc == 0 ]] && echo "check-layers self-test: 7 wrong-way includes planted in copies of user/, each caught"
	return $rc
}

case "${1:-}" in
--self-test)
	self_test "${2:-}"
	;;
--libs)
	shift
	libs "$@"
	;;
-h | --help)
	sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'
	;;
"")
	cd "$ROOT" && check user
	;;
*)
	check "$1"
	;;
esac
