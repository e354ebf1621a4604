// Host address arithmetic of a module with parameter ADDR_WIDTH (included inside nic_ring,
// nic_tx and nic_rx): sums are at least 16 bits wide (a 16-bit length, a ring offset of
// index x 16) whatever ADDR_WIDTH, and one bit wider, so that nothing wraps.
localparam SW = ADDR_WIDTH > 16 ? ADDR_WIDTH : 16;
function [SW-1:0] ext_sw(input [ADDR_WIDTH-1:0] a);
    begin
        ext_sw = {SW{1'b0}};
        ext_sw[ADDR_WIDTH-1:0] = a;
    end
endfunction
