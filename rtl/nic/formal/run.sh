#!/usr/bin/env bash
# Formal checks of the NIC core with yosys-smtbmc and z3 (no SymbiYosys needed):
#   rtl/nic/formal/run.sh [axil|mux|tx|rx|all] [DEPTH]
#     axil  AXI4-Lite slave (nic_axil_slave, nic_csr's front end)
#     mux   nic_axi_mux, the shared AXI4 master port, against any slave: handshakes held, a write
#           burst owned by one engine from AWVALID to its last W (never interleaved), AWLEN+1 W
#           beats, W forwarded while AW waits (A3.3.1), ID routing of AR/R/RREADY/AW/W/B
#     tx    nic_tx's AXI4 master side against any slave (W before AW, AWREADY held back, R held,
#           SLVERR/DECERR): handshakes held, every burst inside the DMA window and never across
#           4 KB, 8-byte aligned, two W beats per completion, WVALID never waits for AWREADY,
#           ring invariants (indexes, descriptor cache), halt after a ring access error
#     rx    the same for nic_rx (AWLEN+1 W beats per burst, FIFO words of taken frames only)
#   tx and rx run for PIPE 1 and 4 and for ADDR_WIDTH 64 (the default) and 13 (the iCE40
#   board's build). Each is a bounded check from reset (DEPTH cycles, default 6) and a k-induction
#   (k = 2, or $kind; mux 4), so the properties hold at every depth. mux/tx/rx are an
#   assume-guarantee pair: what nic_axi_mux_props assumes of an engine, nic_tx_props and
#   nic_rx_props prove of nic_tx and nic_rx (nic_axi4_master_check.v).
#   Covers: mux, tx and rx also run yosys-smtbmc's cover mode (-c): every cover statement must be
#   reached within its depth (mux 8, tx 22, rx 16 cycles), else the job FAILS, so an assumption
#   that rules out real behaviour shows up. Cover runs define COVER, under which the props fix a
#   small configuration (16-entry ring, whole address space as window, short RX frames) to reach
#   the events in few cycles; those assumptions exist only in the cover runs. tx/rx covers run
#   at PIPE 1 and ADDR_WIDTH 13 (the assumptions are the same text for every PIPE and width);
#   cover_pipes="1 4" adds PIPE 4 (about 2 minutes more).
#   Takes about 6.5 minutes on one core (nice'd; one solver at a time), 2.5 of them the PIPE 4 TX
#   inductions.
# Each job: read_verilog -formal of the unchanged RTL and the props top, prep, flatten, then the
# props' probe wires x_NAME are connected to the engine's registers dut.NAME (connect -set; the
# induction's strengthening invariants read them), write_smt2, yosys-smtbmc -s z3 --unroll
# (--noincr for the proofs: z3 4.8's incremental mode is slower on these models). Work files go
# to a temporary folder (kept and named on failure, with a VCD of the counterexample or trace).
set -euo pipefail
cd "$(dirname "$0")/../../.."
case "${1:-all}" in -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
for t in yosys yosys-smtbmc z3; do
  command -v "$t" >/dev/null || { echo "nic formal: $t is missing (Debian packages yosys, z3)" >&2; exit 1; }
done
what=${1:-all}
depth=${2:-6}
kind=${kind:-2}
cover_pipes=${cover_pipes:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/nic-formal.XXXXXX")
ok=1
F=rtl/nic/formal
start=$SECONDS

# job NAME TOP "SOURCES" "PROPS" "DEFINES" "BEFORE_PREP" "AFTER_FLATTEN" smtbmc-args...
job() {
  local name=$1 top=$2 srcs=$3 props=$4 defs=$5 pre=$6 post=$7; shift 7
  local t0=$SECONDS
  yosys -q -l "$work/$name.yosys.log" -p "read_verilog -formal -Irtl/nic $srcs; read_verilog -formal $defs $props; $pre prep -top $top; flatten; memory_map; opt_clean; $post opt -fast; dffunmap; write_smt2 -wires $work/$name.smt2" \
    > "$work/$name.yosys.out" 2>&1 || { cat "$work/$name.yosys.out"; echo "nic formal: $name: yosys FAILED"; ok=0; return; }
  if nice yosys-smtbmc -s z3 --unroll --noprogress --dump-vcd "$work/$name.vcd" "$@" "$work/$name.smt2" > "$work/$name.log" 2>&1; then
    local n; n=$(grep -c 'Reached cover' "$work/$name.log" || true)
    [ "$n" = 0 ] && n= || n=", $n covers reached"
    echo "== nic formal: $name passed ($((SECONDS - t0)) s$n)"
  else
    grep -E "failed|Unreached|Assert|Status" "$work/$name.log" | tail -12
    echo "nic formal: $name FAILED (work files in $work)"
    ok=0
  fi
}

# the probes: x_NAME in the props <- dut.NAME (a dot in NAME: x_ring_head <- dut.ring.head); a
# register the engine never reads (nic_tx's HEAD) is kept for its probe
probes() { for x in "$@"; do printf 'connect -set x_%s dut.%s; ' "${x//./_}" "$x"; done; }
KEEP="hierarchy -top TOP; proc; setattr -set keep 1 */w:head */w:t_head */w:f_len;"
RING="ring.head ring.fetch_idx ring.fetching ring.fcount ring.fbeat ring.resv ring.wp ring.rp"

if [ "$what" = axil ] || [ "$what" = all ]; then
  A="rtl/nic/nic_axil_slave.v"
  job axil_bmc nic_axil_props "$A" "$F/nic_axil_props.v" "" "" "" --noincr -t 20
  job axil_ind nic_axil_props "$A" "$F/nic_axil_props.v" "" "" "" --noincr -i -t 20
fi
if [ "$what" = mux ] || [ "$what" = all ]; then
  # the mux has no parameters to vary: its registers become ports with `expose`
  M="rtl/nic/nic_axi_mux.v"
  MUX_EXP="proc; expose $(printf 'nic_axi_mux/%s ' ar_lock ar_sel w_busy w_own aw_done w_done);"
  job mux_bmc nic_axi_mux_props "$M" "$F/nic_axi_mux_props.v" "" "$MUX_EXP" "" --noincr -t 10
  job mux_ind nic_axi_mux_props "$M" "$F/nic_axi_mux_props.v" "" "$MUX_EXP" "" --noincr -i -t 4
  job mux_cover nic_axi_mux_props "$M" "$F/nic_axi_mux_props.v" "" "$MUX_EXP" "" -c -t 8
fi
if [ "$what" = tx ] || [ "$what" = all ]; then
  S="rtl/nic/nic_ring.v rtl/nic/nic_tx.v"
  P="$F/nic_axi4_master_check.v $F/nic_tx_props.v"
  X=$(probes istate rstate i_addr i_beats ar_left i_bad q_wp q_rp c_wp c_rp tag_mem tag_wp tag_rp \
             c_busy c_aw_done c_w_done $RING)
  # the checksum datapath feeds no control decision and no address: cut it (its registers become
  # free inputs, an over-approximation, so the proofs stay sound) to keep z3's problem small
  X="$X cutpoint $(printf 'w:dut.%s ' sum_ip sum_l4 ck_ip ck_l4 patch_data patch_addr patch_be);"
  for p in 1 4; do
    for aw in 64 13; do
      C="chparam -set AW $aw -set PIPE $p nic_tx_props; ${KEEP//TOP/nic_tx_props}"
      job tx_bmc_p${p}_a$aw nic_tx_props "$S" "$P" "" "$C" "$X" --noincr -t "$depth"
      job tx_ind_p${p}_a$aw nic_tx_props "$S" "$P" "" "$C" "$X" --noincr -i -t "$kind"
    done
    case " $cover_pipes " in *" $p "*) ;; *) continue ;; esac
    C="chparam -set AW 13 -set PIPE $p nic_tx_props; ${KEEP//TOP/nic_tx_props}"
    job tx_cover_p${p} nic_tx_props "$S" "$P" "-DCOVER" "$C" "$X" -c -t 22
  done
fi
if [ "$what" = rx ] || [ "$what" = all ]; then
  S="rtl/nic/nic_ring.v rtl/nic/nic_rx.v"
  P="$F/nic_axi4_master_check.v $F/nic_rx_props.v"
  X=$(probes fstate q_wp q_rp f_words_left f_addr b_left f_lastburst aw_done w_done t_head t_wp t_rp \
             c_busy c_aw_done c_w_done cw_valid cw_last f_len $RING)
  for p in 1 4; do
    for aw in 64 13; do
      C="chparam -set AW $aw -set PIPE $p nic_rx_props; ${KEEP//TOP/nic_rx_props}"
      job rx_bmc_p${p}_a$aw nic_rx_props "$S" "$P" "" "$C" "$X" --noincr -t "$depth"
      job rx_ind_p${p}_a$aw nic_rx_props "$S" "$P" "" "$C" "$X" --noincr -i -t "$kind"
    done
    case " $cover_pipes " in *" $p "*) ;; *) continue ;; esac
    C="chparam -set AW 13 -set PIPE $p nic_rx_props; ${KEEP//TOP/nic_rx_props}"
    job rx_cover_p${p} nic_rx_props "$S" "$P" "-DCOVER" "$C" "$X" -c -t 16
  done
fi
echo "nic formal: $((SECONDS - start)) s"
[ $ok = 1 ] && rm -rf "$work"
[ $ok = 1 ] && echo "nic formal: all passed" || exit 1
