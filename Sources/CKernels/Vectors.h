#ifndef NAYERD_CKERNELS_VECTORS_H
#define NAYERD_CKERNELS_VECTORS_H

// GCC vector types and unaligned loads and stores, shared by the C kernels.

#include <string.h>

typedef float f4 __attribute__((vector_size(16)));
typedef float f8 __attribute__((vector_size(32)));
typedef float f16 __attribute__((vector_size(64)));
typedef float f32 __attribute__((vector_size(128)));

// memcpy is the portable unaligned vector load and store; clang turns it into vmovups.
#define LOAD(type, pointer) ({ type value_; memcpy(&value_, (pointer), sizeof(type)); value_; })
#define STORE(pointer, value) do { __typeof__(value) value_ = (value); memcpy((pointer), &value_, sizeof value_); } while (0)

#endif
