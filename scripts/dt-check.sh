#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the device-tree overlays of imx_rproc_rs against Linux 7.2:
#
#  1. builds every Verdin iMX95 DTB of arch/arm64/boot/dts/freescale/Makefile
#     (imx95-*verdin*) from KDIR, with symbols (-@, as Toradex builds them)
#     and the kernel's own schema check limited to fsl,imx-rproc.yaml
#     (make CHECK_DTBS=y DT_SCHEMA_FILES=remoteproc/fsl,imx-rproc.yaml),
#  2. compiles dts/verdin-imx95_cm7-remoteproc_overlay.dts (cpp as the kernel
#     preprocesses DTS, then dtc -@) and applies it with fdtoverlay to each
#     of those DTBs it is meant for,
#  3. validates base and result with dt-validate against all 7.2 bindings
#     (processed-schema.json): any message in a node the overlay touches
#     (the cm7 node, the MU7 node, /reserved-memory) or any message the base
#     does not have fails; the rest is reported as pre-existing,
#  4. does the same for the virtual board: dts/imx95-virtual.dtso on QEMU
#     virt's DTB (as scripts/run-qemu.sh dumps it); the cm7, reserved-memory,
#     SRAM and arm,scmi nodes must be clean, the simulated MUs
#     ("imxrprocrs,sim-mu") have no binding and are reported, not failed.
#
# Uses the dtschema venv that scripts/bootstrap.sh installs. Writes into KDIR only
# what "make dt_binding_schemas" and "make <dtb>" write there (the processed
# schema and the listed DTBs). Results and logs: out/dt-check/.
#
#   scripts/dt-check.sh [--kdir DIR]
#
# Prints one line per check and "N passed, M failed".

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$here/out/dt-check
export PATH=$HOME/.local/bin:$HOME/.cargo/bin:$PATH

# The dtschema venv of scripts/bootstrap.sh. The pinned release processes
# the 7.2 bindings without a warning (the kernel asks for >= 2023.9,
# Documentation/devicetree/bindings/Makefile).
dtschema_venv=${IMX_RPROC_RS_CACHE:-$HOME/.cache/imx_rproc_rs}/dtschema-venv
overlay_src=$here/dts/verdin-imx95_cm7-remoteproc_overlay.dts
virtual_src=$here/dts/imx95-virtual.dtso

kdir=
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=$2; shift ;;
	*) echo "usage: $0 [--kdir DIR]" >&2; exit 2 ;;
	esac
	shift
done
env_mk=${IMX_RPROC_RS_CACHE:-$HOME/.cache/imx_rproc_rs}/env.mk
[ -n "$kdir" ] || kdir=$(sed -n 's/^KDIR=//p' "$env_mk" 2>/dev/null)
if [ -z "$kdir" ] || [ ! -f "$kdir/.config" ]; then
	echo "dt-check: no configured kernel tree (run scripts/bootstrap.sh or pass --kdir)" >&2
	exit 2
fi

pass=0
fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
not_ok() { fail=$((fail + 1)); printf 'FAIL %s%s\n' "$1" "${2:+ ($2)}"; }
note() { printf '     %s\n' "$*"; }
finish() {
	note "dt-check took $((SECONDS - start)) s"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
start=$SECONDS

rm -rf "$out"
mkdir -p "$out/base" "$out/merged" "$out/dtbo" "$out/json"
kmake() { make -C "$kdir" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@"; }
bindings=$kdir/Documentation/devicetree/bindings
schema=$bindings/processed-schema.json

# Compiles an overlay source as the kernel compiles DTS (cpp, then dtc -@).
compile_overlay() { # src dtbo
	local tmp=$2.pre.dts
	cpp -nostdinc -I "$kdir/include" -I "$kdir/arch/arm64/boot/dts" \
		-I "$kdir/scripts/dtc/include-prefixes" -undef -D__DTS__ \
		-x assembler-with-cpp -o "$tmp" "$1" &&
		dtc -@ -I dts -O dtb -o "$2" "$tmp"
}

# ------------------------------------------------------------------ tools
missing=()
for t in dtc fdtoverlay fdtget fdtput cpp qemu-system-aarch64 python3; do
	command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
	not_ok "tools present" "missing: ${missing[*]} (run scripts/bootstrap.sh)"
	finish
fi

# dt-schema comes from the venv scripts/bootstrap.sh installs (pinned in
# scripts/dtschema-requirements.txt); the kernel's make finds dt-mk-schema
# and dt-validate on PATH.
want=$(sed -n 's/^dtschema==//p' "$here/scripts/dtschema-requirements.txt")
export PATH=$dtschema_venv/bin:$PATH
hash -r
if [ "$(dt-validate --version 2>/dev/null)" = "$want" ] &&
	[ "$(command -v dt-validate)" = "$dtschema_venv/bin/dt-validate" ]; then
	ok "dtschema $want (dt-validate) from $dtschema_venv"
else
	not_ok "dtschema $want installed in $dtschema_venv" "run scripts/bootstrap.sh --tools"
	finish
fi

# The kernel's processed schema (about a minute the first time; make keeps
# it up to date afterwards).
t0=$SECONDS
if kmake dt_binding_schemas >"$out/schema.log" 2>&1 && [ -s "$schema" ]; then
	note "processed schema ready in $((SECONDS - t0)) s"
	if grep -qiE 'warning|error' "$out/schema.log"; then
		not_ok "processed-schema.json from the 7.2 bindings without warnings" "see $out/schema.log"
	else
		ok "processed-schema.json from the 7.2 bindings (make dt_binding_schemas), no warning"
	fi
else
	tail -n 20 "$out/schema.log"
	not_ok "make dt_binding_schemas" "see $out/schema.log"
	finish
fi

# ------------------------------------------------------- the Verdin DTBs
# shellcheck disable=SC2016 # $(CONFIG_ARCH_MXC) is Makefile text
mapfile -t dtbs < <(sed -n 's/^dtb-\$(CONFIG_ARCH_MXC)[[:space:]]*+=[[:space:]]*\(imx95-[^ ]*verdin[^ ]*\.dtb\).*/\1/p' \
	"$kdir/arch/arm64/boot/dts/freescale/Makefile")
if [ ${#dtbs[@]} -eq 0 ]; then
	not_ok "Verdin iMX95 DTBs listed in arch/arm64/boot/dts/freescale/Makefile" "none found"
	finish
fi
note "DTBs (${#dtbs[@]}): ${dtbs[*]}"

# Built with symbols (DTC_FLAGS_<name>=-@ keeps the kernel's other dtc
# flags) and checked by the kernel's own dtbs_check machinery. Removing them
# first makes make rebuild, and so re-check, each one.
flags=()
targets=()
for d in "${dtbs[@]}"; do
	rm -f "$kdir/arch/arm64/boot/dts/freescale/$d"
	flags+=("DTC_FLAGS_${d%.dtb}=-@")
	targets+=("freescale/$d")
done
if kmake -j"$(nproc)" CHECK_DTBS=y DT_SCHEMA_FILES=remoteproc/fsl,imx-rproc.yaml \
	"${flags[@]}" "${targets[@]}" >"$out/dtbs.log" 2>&1; then
	ok "make ${#dtbs[@]} DTBs with -@ and CHECK_DTBS=y DT_SCHEMA_FILES=remoteproc/fsl,imx-rproc.yaml"
else
	tail -n 20 "$out/dtbs.log"
	not_ok "make the Verdin iMX95 DTBs" "see $out/dtbs.log"
	finish
fi
for d in "${dtbs[@]}"; do
	cp "$kdir/arch/arm64/boot/dts/freescale/$d" "$out/base/$d"
	msgs=$(grep -F "$d:" "$out/dtbs.log" | grep -v '^ *DTC')
	if [ -z "$msgs" ]; then
		ok "base $d: dtbs_check against fsl,imx-rproc.yaml clean"
	else
		printf '%s\n' "$msgs" | head -n 5
		not_ok "base $d: dtbs_check against fsl,imx-rproc.yaml" "see $out/dtbs.log"
	fi
done

# ------------------------------------------------------------- overlays
ovl=$out/dtbo/verdin-imx95_cm7-remoteproc_overlay.dtbo
vovl=$out/dtbo/imx95-virtual.dtbo
for pair in "$overlay_src:$ovl" "$virtual_src:$vovl"; do
	src=${pair%%:*}
	if compile_overlay "$src" "${pair#*:}" >"$out/dtc-$(basename "$src").log" 2>&1; then
		if [ -s "$out/dtc-$(basename "$src").log" ]; then
			not_ok "$(basename "$src") compiles without dtc warnings" \
				"$(head -n 1 "$out/dtc-$(basename "$src").log")"
		else
			ok "$(basename "$src") compiles (cpp + dtc -@), no warning"
		fi
	else
		cat "$out/dtc-$(basename "$src").log"
		not_ok "$(basename "$src") compiles" "see $out/dtc-$(basename "$src").log"
		finish
	fi
done

# Labels the overlay needs from the base; a base lacking any is not a
# Verdin iMX95 module tree for this overlay.
mapfile -t needed < <(fdtget -p "$ovl" /__fixups__ 2>/dev/null)
compat=$(fdtget -t s "$ovl" / compatible 2>/dev/null)

# Variants on the first applicable DTB: with the optional lines enabled, and
# a deliberately wrong cm7 node (shows that dt-validate looks at that node).
sed -e 's|^\([[:space:]]*\)//\(fsl,auto-boot;\)|\1\2|' \
	-e 's|^\([[:space:]]*\)//\(firmware-name = \)|\1\2|' \
	"$overlay_src" >"$out/dtbo/optional.dts"
sed -e 's|mbox-names = "tx", "rx", "rxdb";|mbox-names = "tx", "rx", "bogus";|' \
	"$overlay_src" >"$out/dtbo/broken.dts"
compile_overlay "$out/dtbo/optional.dts" "$out/dtbo/optional.dtbo" >"$out/dtc-variants.log" 2>&1
compile_overlay "$out/dtbo/broken.dts" "$out/dtbo/broken.dtbo" >>"$out/dtc-variants.log" 2>&1

declare -A applicable=()
first=
to_validate=()
for d in "${dtbs[@]}"; do
	base=$out/base/$d
	syms=$(fdtget -p "$base" /__symbols__ 2>/dev/null)
	lacking=()
	for l in "${needed[@]}"; do
		grep -qx "$l" <<<"$syms" || lacking+=("$l")
	done
	bcompat=$(fdtget -t s "$base" / compatible 2>/dev/null)
	if [ ${#lacking[@]} -eq 0 ]; then
		applicable[$d]=1
		[ -n "$first" ] || first=$d
		case " $bcompat " in
		*" $compat "*) ;;
		*) not_ok "$d: base compatible contains the overlay's '$compat'" "has: $bcompat" ;;
		esac
		if fdtoverlay -i "$base" -o "$out/merged/$d" "$ovl" 2>"$out/merged/$d.log"; then
			to_validate+=("$base" "$out/merged/$d")
		else
			not_ok "$d: fdtoverlay applies the overlay" "$(cat "$out/merged/$d.log")"
		fi
	else
		# Not meant for this board: it must be refused, not half-applied.
		if fdtoverlay -i "$base" -o "$out/merged/$d" "$ovl" 2>/dev/null; then
			not_ok "$d: overlay refused (no ${lacking[*]} in the base)" "fdtoverlay applied it"
		else
			ok "$d: not a Verdin iMX95 module tree (compatible: $bcompat; lacks labels: ${lacking[*]}); fdtoverlay refuses the overlay, as intended"
		fi
	fi
done
if [ -n "$first" ]; then
	if fdtoverlay -i "$out/base/$first" -o "$out/merged/optional-$first" "$out/dtbo/optional.dtbo" &&
		fdtoverlay -i "$out/base/$first" -o "$out/merged/broken-$first" "$out/dtbo/broken.dtbo"; then
		to_validate+=("$out/merged/optional-$first" "$out/merged/broken-$first")
	else
		not_ok "overlay variants apply" "see $out/dtc-variants.log"
	fi
fi

# --------------------------------------------------------- virtual board
virt=$out/base/qemu-virt.dtb
if qemu-system-aarch64 -M "virt,dumpdtb=$virt" -cpu cortex-a57 -smp 2 -m 2G -nographic \
	>"$out/dumpdtb.log" 2>&1 </dev/null &&
	# QEMU puts fresh random seeds in /chosen on every dump and leaves
	# varying bytes outside the tree; fixed seeds and a dtc round trip
	# keep the DTB's bytes, and so dt-validate's cache key, stable.
	fdtput -t x "$virt" /chosen rng-seed 0 0 0 0 0 0 0 0 2>>"$out/dumpdtb.log" &&
	fdtput -t x "$virt" /chosen kaslr-seed 0 0 2>>"$out/dumpdtb.log" &&
	dtc -q -I dtb -O dtb -o "$virt.tmp" "$virt" 2>>"$out/dumpdtb.log" && mv "$virt.tmp" "$virt" &&
	fdtoverlay -i "$virt" -o "$out/merged/imx95-virtual.dtb" "$vovl" 2>>"$out/dumpdtb.log"; then
	ok "virtual board: QEMU virt DTB dumped, imx95-virtual.dtso applied"
	to_validate+=("$virt" "$out/merged/imx95-virtual.dtb")
else
	not_ok "virtual board: dump QEMU's DTB and apply imx95-virtual.dtso" "see $out/dumpdtb.log"
fi

# ------------------------------------------------------------ dt-validate
# One process per DTB, one per CPU (about 3 s of CPU each, most of the
# stage). dt-validate's own cache (keyed by the DTB's and the processed
# schema's sha256, the dtschema version and the options) lets a later run
# skip the DTBs whose bytes and schema did not change.
t0=$SECONDS
json_of() { echo "$out/json/$(basename "$(dirname "$1")")-$(basename "$1").json"; }
validate_cache=$(dirname "$dtschema_venv")/dt-validate-cache
# shellcheck disable=SC2016 # expanded by sh -c
validate_one='dt-validate -m -u "$0" -s "$1" --cache-dir "$2" --json-output "$4" "$3" >/dev/null 2>&1'
for f in "${to_validate[@]}"; do
	printf '%s\0%s\0' "$f" "$(json_of "$f")"
done | xargs -0 -n 2 -P "$(nproc)" sh -c "$validate_one" "$bindings" "$schema" "$validate_cache"
cached=$(find "$validate_cache" -name '*.json' 2>/dev/null | wc -l)
note "dt-validate: ${#to_validate[@]} DTBs in $((SECONDS - t0)) s ($cached results in $validate_cache)"

classify=$(
	cat <<'EOF'
import json, sys

mode, base_json, merged_json = sys.argv[1:4]
touched = [p for p in sys.argv[4].split(",") if p]
expected = [p for p in sys.argv[5].split(",") if p]


def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


def under(node, prefixes):
    return any(node == p or node.startswith(p + "/") for p in prefixes)


def key(e):
    return (e.get("node"), e.get("schema"), e.get("message"))


def short(e):
    return "%s: %s [%s]" % (e.get("node"), e.get("message", "")[:110],
                            (e.get("schema") or e.get("type") or "").split("/schemas/")[-1])


base, merged = load(base_json), load(merged_json)
if base is None or merged is None:
    print("dt-validate produced no result")
    sys.exit(1)
base_keys = {key(e) for e in base}
in_touched = [e for e in merged if under(e.get("node", ""), touched)]
in_expected = [e for e in merged if under(e.get("node", ""), expected)]
new = [e for e in merged if key(e) not in base_keys
       and not under(e.get("node", ""), touched + expected)]
old = [e for e in merged if key(e) in base_keys
       and not under(e.get("node", ""), touched + expected)]

if mode == "optional":
    # Only firmware-name may be reported, and only in the cm7 node.
    other = [e for e in in_touched + new if "firmware-name" not in e.get("message", "")]
    fw = [e for e in in_touched if "firmware-name" in e.get("message", "")]
    for e in other + fw:
        print("  " + short(e))
    print("%d message(s) about firmware-name, %d other" % (len(fw), len(other)))
    sys.exit(0 if fw and not other else 1)
if mode == "broken":
    hits = [e for e in in_touched if "fsl,imx-rproc.yaml" in (e.get("schema") or "")]
    print("%d message(s) from fsl,imx-rproc.yaml in the cm7 node" % len(hits))
    sys.exit(0 if hits else 1)

for e in in_touched + new:
    print("  " + short(e))
summary = "%d in touched nodes, %d new, %d pre-existing" % (len(in_touched), len(new), len(old))
if expected:
    summary += ", %d in the simulated MUs (no binding, expected)" % len(in_expected)
if old:
    def kind(e):
        props = [p for p in (e.get("property_path") or []) if isinstance(p, str)]
        return "%s %s" % (e.get("nodename") or e.get("node"), props[0] if props else e.get("type"))
    kinds = sorted({kind(e) for e in old})
    summary += " (" + ", ".join(str(k) for k in kinds[:6]) + (", ..." if len(kinds) > 6 else "") + ")"
print(summary)
sys.exit(1 if in_touched or new else 0)
EOF
)

# Node paths the overlay touches, read from the base's symbols.
sym() { fdtget -t s "$1" /__symbols__ "$2" 2>/dev/null; }
for d in "${dtbs[@]}"; do
	[ -n "${applicable[$d]:-}" ] || continue
	[ -f "$out/merged/$d" ] || continue
	base=$out/base/$d
	merged=$out/merged/$d
	cm7=$(sym "$base" cm7)
	mu7=$(sym "$base" mu7)
	# The overlay makes both nodes "okay" and restates mainline's values.
	same=1
	for p in mboxes mbox-names memory-region; do
		[ "$(fdtget -t x "$base" "$cm7" "$p" 2>&1)" = "$(fdtget -t x "$merged" "$cm7" "$p" 2>&1)" ] || same=
	done
	if [ "$(fdtget -t s "$merged" "$cm7" status 2>/dev/null)" = okay ] &&
		[ "$(fdtget -t s "$merged" "$mu7" status 2>/dev/null)" = okay ] && [ -n "$same" ]; then
		ok "$d + overlay: $cm7 and $mu7 okay, mboxes/memory-region as in mainline"
	else
		not_ok "$d + overlay: cm7 and mu7 okay with mainline's mboxes/memory-region"
	fi
	if res=$(python3 -c "$classify" verdin "$(json_of "$base")" "$(json_of "$merged")" \
		"$cm7,$mu7,/reserved-memory" ""); then
		ok "$d + overlay: dt-validate: $(tail -n 1 <<<"$res")"
	else
		head -n -1 <<<"$res"
		not_ok "$d + overlay: dt-validate" "$(tail -n 1 <<<"$res")"
	fi
done

if [ -n "$first" ]; then
	base=$out/base/$first
	cm7=$(sym "$base" cm7)
	mu7=$(sym "$base" mu7)
	if res=$(python3 -c "$classify" optional "$(json_of "$base")" \
		"$(json_of "$out/merged/optional-$first")" "$cm7,$mu7,/reserved-memory" ""); then
		ok "optional lines enabled (fsl,auto-boot, firmware-name) on $first: $(tail -n 1 <<<"$res") - firmware-name is not in the 7.2 binding"
	else
		head -n -1 <<<"$res"
		not_ok "optional lines enabled on $first" "$(tail -n 1 <<<"$res")"
	fi
	if res=$(python3 -c "$classify" broken "$(json_of "$base")" \
		"$(json_of "$out/merged/broken-$first")" "$cm7" ""); then
		ok "self-test: a wrong mbox-names in the cm7 node is reported ($(tail -n 1 <<<"$res"))"
	else
		not_ok "self-test: dt-validate reports a wrong cm7 node" "$(tail -n 1 <<<"$res")"
	fi
fi

if [ -f "$out/merged/imx95-virtual.dtb" ]; then
	m=$out/merged/imx95-virtual.dtb
	if res=$(python3 -c "$classify" virtual "$(json_of "$virt")" "$(json_of "$m")" \
		"/remoteproc-cm7,/reserved-memory,/firmware/scmi,/sram@8f000000" \
		"/mailbox-sim-mu2,/mailbox-sim-mu7"); then
		ok "virtual board + imx95-virtual.dtso: dt-validate: $(tail -n 1 <<<"$res")"
	else
		head -n -1 <<<"$res"
		not_ok "virtual board + imx95-virtual.dtso: dt-validate" "$(tail -n 1 <<<"$res")"
	fi
	unmatched=$(python3 -c '
import json, sys
for e in json.load(open(sys.argv[1])):
    if e.get("type") == "unmatched":
        print(e["node"], e["message"].split(":", 1)[-1].strip())
' "$(json_of "$m")" 2>/dev/null | sort -u)
	while IFS= read -r line; do
		[ -n "$line" ] && note "no binding (expected for the simulation): $line"
	done <<<"$unmatched"
	if grep -qE '^/(remoteproc-cm7|firmware/scmi|sram@8f000000)' <<<"$unmatched"; then
		not_ok "virtual board: cm7, scmi and SRAM nodes are matched by a binding"
	else
		ok "virtual board: cm7 (fsl,imx-rproc.yaml), arm,scmi and mmio-sram nodes matched by their bindings"
	fi
fi

finish
