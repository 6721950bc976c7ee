/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TT_PCI_H
#define TT_PCI_H

#if IS_ENABLED(CONFIG_PCI)
int tt_pci_init(void);
void tt_pci_exit(void);
#else
static inline int tt_pci_init(void) { return 0; }
static inline void tt_pci_exit(void) { }
#endif

#endif /* TT_PCI_H */
