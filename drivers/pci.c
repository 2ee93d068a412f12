/* PCI mechanism #1 configuration reads (see pci.h). */
#include "drivers/pci.h"
#include "kernel/x86.h"

#define CONFIG_ENABLE  (1u << 31)

uint32_t pci_config_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t offset)
{
    outl(PCI_CONFIG_ADDRESS, CONFIG_ENABLE | ((uint32_t)bus << 16) | ((uint32_t)(dev & 31) << 11) |
                             ((uint32_t)(fn & 7) << 8) | (offset & 0xfc));
    return inl(PCI_CONFIG_DATA);
}
