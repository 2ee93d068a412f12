/* PCI configuration space through mechanism #1 (CONFIG_ADDRESS 0xCF8,
 * CONFIG_DATA 0xCFC; PCI Local Bus spec 3.0 3.2.2.3.2), for Kestrel's own
 * look at the chipset before a guest runs. */
#ifndef KESTREL_DRIVERS_PCI_H
#define KESTREL_DRIVERS_PCI_H

#include <stdint.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_CONFIG_DATA_PORTS 4

uint32_t pci_config_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t offset);

#endif
