#!/usr/bin/env bash
# Runs nicdemo and checks that its pcap and VCD are readable: tshark must read every frame
# without complaint, and the VCD must carry the MAC's GMII signals.
set -euo pipefail
demo=$1 out=$2
command -v tshark >/dev/null || { echo "tshark is missing: apt-get install tshark (scripts/install-deps)"; exit 1; }
"$demo" --frames 200 --faults 7 --seed 3 --pcap "$out/check.pcap" --vcd "$out/check.vcd" | tee "$out/check.txt"
want=$(sed -n 's/.*pcap .*(\([0-9]*\) frames.*/\1/p' "$out/check.txt")
got=$(tshark -r "$out/check.pcap" 2>"$out/tshark.raw" | wc -l)
# tshark always warns when run as root; anything else on stderr is a complaint about the file.
grep -v "Running as user" "$out/tshark.raw" > "$out/tshark.err" || true
if [ -s "$out/tshark.err" ]; then echo "tshark complained:"; cat "$out/tshark.err"; exit 1; fi
[ "$got" = "$want" ] || { echo "tshark read $got frames, the demo wrote $want"; exit 1; }
tshark -r "$out/check.pcap" -c 1 -T fields -e eth.type | grep -qx '0x88b5' || { echo "first frame has the wrong EtherType"; exit 1; }
grep -q 'gmii_tx_en' "$out/check.vcd" || { echo "VCD lacks gmii_tx_en"; exit 1; }
echo "tshark read $got frames; VCD $(stat -c %s "$out/check.vcd") bytes"
