# nextpnr-ice40 --pre-pack for nic_fpga.v: the three clocks of the NIC.
#   clk     core clock from the PLL (12 MHz x 67 / 16 = 50.25 MHz); constrained at 50.25 MHz.
#   tx_clk, rx_clk   the GMII clocks, 125 MHz (IEEE 802.3 clause 35.4.2.3, +-100 ppm).
# The domains are asynchronous to each other (async FIFOs, Gray counters, synchronisers in
# rtl/nic); nextpnr does not time paths between them.
ctx.addClock("clk", 50.25)
ctx.addClock("tx_clk", 125)
ctx.addClock("rx_clk", 125)
