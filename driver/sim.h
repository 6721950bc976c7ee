/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TT_SIM_H
#define TT_SIM_H

int tt_sim_init(void);
void tt_sim_exit(void);

#endif /* TT_SIM_H */
