// SPDX-License-Identifier: GPL-2.0
// codegen_shapes.bpf.c with struct shape_event.pid moved: a skeleton generated from the first
// must refuse this object at open (codegen's SkeletonKernelTest).
#define SHAPES_V2
#include "codegen_shapes.bpf.c"
