# nextpnr-ice40 --pre-pack for nic_fpga.v: the two clocks of the NIC board top.
#   clk       core clock from the PLL (12 MHz x 67 / 16 = 50.25 MHz); constrained at 50.25 MHz.
#   mac_clk   the RMII module's 50 MHz REF_CLK (RMII 1.2 section 5.1: 50 MHz +-50 ppm), the MAC's
#             transmit and receive clock.
# The domains are asynchronous to each other (async FIFOs, Gray counters, synchronisers in
# rtl/nic); nextpnr does not time paths between them.
ctx.addClock("clk", 50.25)
ctx.addClock("mac_clk", 50)
