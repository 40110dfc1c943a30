#ifndef NAYERD_CPREFETCH_H
#define NAYERD_CPREFETCH_H

// Software prefetch, which Swift cannot express. The kernels stream NCHW planes of
// 4 KiB; the hardware prefetcher stops at page boundaries, so each new plane would
// start with a full memory-latency stall. Inline, so the call vanishes into the loop.
static inline void nayerd_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
