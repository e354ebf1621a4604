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
// The DMA window check: [a, a + len) inside [base, limit), sums one bit wider so that nothing
// wraps; hi: a does not fit in ADDR_WIDTH bits (never in the 64-bit build).
function win_ok(input [ADDR_WIDTH-1:0] a, input hi, input [15:0] len,
                input [ADDR_WIDTH-1:0] base, input [ADDR_WIDTH-1:0] limit);
    reg [SW:0] e;
    begin
        e = {1'b0, ext_sw(a)} + {{(SW-15){1'b0}}, len};
        win_ok = !hi && (a >= base) && (e <= {1'b0, ext_sw(limit)});
    end
endfunction
