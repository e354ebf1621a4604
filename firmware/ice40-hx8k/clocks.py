# nextpnr-ice40 --pre-pack: both GMII clocks at 125 MHz (8 ns; IEEE 802.3 clause 35.4.2.3: 125 MHz
# +-100 ppm), on the outputs of their SB_GB_IO global buffers in fpga.v. The two domains are
# asynchronous to each other; nextpnr does not time paths between them.
ctx.addClock("tx_clk", 125)
ctx.addClock("rx_clk", 125)
