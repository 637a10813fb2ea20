/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* runqlat's histogram value: one definition for both sides (Java: tools.sched.RunQLat). */
#ifndef VIGIL_RUNQLAT_H
#define VIGIL_RUNQLAT_H

#include "vigil/tool.h"

struct runqlat_hist {
	struct vigil_hist hist;
	char comm[16];
};

#endif
