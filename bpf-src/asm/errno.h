/* SPDX-License-Identifier: GPL-2.0 */
/* <bpf/usdt.bpf.h> includes <linux/errno.h>, which wants the architecture's <asm/errno.h>:
 * with -target bpf clang does not search the multiarch include directory that holds it, and
 * every architecture's errno values are the generic ones anyway. */
#include <asm-generic/errno.h>
