// The bottom layer of the board backend: an SPI master that moves bytes full duplex with chip select
// held for the whole transaction. Implementations: MpsseSpi (mpsse.h) over a real FT2232H
// (ftdi_port.h, libftdi1) or over the simulated FTDI (mpsse.h: SimFtdi) that drives the pins of
// the Verilated board.
//   BridgeClient (bridge_client.h) -> SpiTransport::transfer -> MPSSE commands -> FTDI -> pins
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nic::board {

class SpiTransport {
public:
    virtual ~SpiTransport() = default;
    // One transaction in SPI mode 0, MSB first: CS low, `n` bytes out of `out` while `n` bytes come
    // into `in`, CS high. False when the transport itself failed (USB error); error() says why.
    virtual bool transfer(const uint8_t* out, uint8_t* in, size_t n) = 0;
    virtual const std::string& error() const = 0;
    // The SCK frequency, for figures.
    virtual double sck_hz() const = 0;
};

}  // namespace nic::board
