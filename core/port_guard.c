/*
 * The power and reset port guards (see port_guard.h).  Sources:
 *  - ACPI 6.x 4.8.3.2.1 (PM1 control registers: SCI_EN, SLP_TYP, SLP_EN).
 *  - IBM PC AT Technical Reference, "Keyboard Controller", and the Intel
 *    8042 UPI data sheet: command 0xD1 writes the output port with the next
 *    data byte; commands 0xF0-0xFF pulse the output-port lines whose bit in
 *    the command's low nibble is 0; output-port bit 0 is the CPU reset line
 *    (active low), bit 1 the A20 gate.
 *  - IBM PS/2 Hardware Interface Technical Reference, "System Control Port A"
 *    (0x92): bit 0 alternate (fast) reset, bit 1 alternate A20; the same
 *    port in the ICH9 datasheet (316972) as PORT92, bit 0 INIT_NOW.
 *  - Intel 82371AB PIIX4 datasheet (290562), "RC - Reset Control Register"
 *    and ICH9 datasheet (316972) "RST_CNT - Reset Control Register", both at
 *    I/O 0xCF9: bit 2 RST_CPU starts the reset, bit 1 SYS_RST picks its kind.
 *  - PCI Local Bus Specification 3.0, 3.2.2.3.2 "Configuration Mechanism #1":
 *    only a full DWORD access to 0xCF8 is CONFIG_ADDRESS; "any other types
 *    of accesses to this address (non-DWORD) have no effect on
 *    CONFIG_ADDRESS and are executed as normal I/O transactions".
 */
#include "core/port_guard.h"
#include "core/pci_guard.h"

#define BYTE_BITS               8
#define BYTE_MASK               0xffu

#define KBC_CMD_WRITE_OUTPUT    0xd1    /* next data byte is the output port */
#define KBC_CMD_PULSE_FIRST     0xf0    /* 0xF0-0xFF: pulse output-port lines */
#define KBC_OUTPUT_RESET_LINE   (1u << 0)   /* output port bit 0, active low */

/* ---- byte coverage ---------------------------------------------------------- */

static bool io_size_valid(unsigned size)
{
    return size == 1 || size == 2 || size == 4;
}

bool io_byte_written(uint16_t port, unsigned size, uint32_t value, uint16_t target,
                     uint8_t *byte)
{
    /* Wrapping 16-bit distance: an access at 0xFFFF covers 0x0000 next. */
    uint16_t lane = (uint16_t)(target - port);

    if (!io_size_valid(size) || lane >= size)
        return false;
    if (byte != NULL)
        *byte = (uint8_t)((value >> (lane * BYTE_BITS)) & BYTE_MASK);
    return true;
}

/* ---- ACPI PM1 control ------------------------------------------------------- */

struct pm1_cnt_write pm1_cnt_decode(uint16_t port, unsigned size, uint32_t value,
                                    uint16_t cnt_port)
{
    struct pm1_cnt_write w = { .covers = false, .mask = 0, .bits = 0 };

    for (unsigned i = 0; i < PM1_CNT_WIDTH; i++) {
        uint8_t b;

        if (!io_byte_written(port, size, value, (uint16_t)(cnt_port + i), &b))
            continue;
        w.covers = true;
        w.mask |= (uint16_t)(BYTE_MASK << (i * BYTE_BITS));
        w.bits |= (uint16_t)((unsigned)b << (i * BYTE_BITS));
    }
    return w;
}

bool pm1_sleep_request(const struct pm1_cnt_write *w, unsigned *slp_typ)
{
    bool sleep = w != NULL && w->covers && (w->mask & PM1_CNT_SLP_EN) != 0 &&
                 (w->bits & PM1_CNT_SLP_EN) != 0;

    if (slp_typ != NULL)
        *slp_typ = sleep ? (w->bits & PM1_CNT_SLP_TYP_MASK) >> PM1_CNT_SLP_TYP_SHIFT : 0;
    return sleep;
}

/* ---- reset paths ------------------------------------------------------------- */

static const uint16_t watched_ports[] = {
    KBC_DATA_PORT, KBC_COMMAND_PORT, SYSTEM_CONTROL_PORT_A, RESET_CONTROL_PORT,
};

#define WATCHED_PORT_COUNT (sizeof(watched_ports) / sizeof(watched_ports[0]))

const uint16_t *reset_watched_ports(size_t *count)
{
    if (count != NULL)
        *count = WATCHED_PORT_COUNT;
    return watched_ports;
}

const char *reset_path_name(enum reset_path p)
{
    switch (p) {
    case RESET_PATH_NONE:
        return "none";
    case RESET_PATH_KBC:
        return "kbc-reset";
    case RESET_PATH_PORT92:
        return "port92-reset";
    case RESET_PATH_CF9:
        return "cf9-reset";
    }
    return "?";
}

/* A command byte to 0x64.  Every command replaces a pending 0xD1 (the 8042
 * takes the next data byte as the parameter of the *last* command). */
static enum reset_path kbc_command(struct kbc_watch *kbc, uint8_t cmd)
{
    kbc->output_port_next = cmd == KBC_CMD_WRITE_OUTPUT;
    /* Pulse commands: line 0 (reset) pulses when the low nibble's bit 0 is
     * 0, i.e. every even command 0xF0..0xFE; 0xFF pulses nothing. */
    if (cmd >= KBC_CMD_PULSE_FIRST && (cmd & KBC_OUTPUT_RESET_LINE) == 0)
        return RESET_PATH_KBC;
    return RESET_PATH_NONE;
}

/* A data byte to 0x60: the output port after 0xD1, keyboard data otherwise. */
static enum reset_path kbc_data(struct kbc_watch *kbc, uint8_t data)
{
    if (!kbc->output_port_next)
        return RESET_PATH_NONE;
    kbc->output_port_next = false;
    return (data & KBC_OUTPUT_RESET_LINE) == 0 ? RESET_PATH_KBC : RESET_PATH_NONE;
}

/* The 0xCF9 byte of an access.  Only a DWORD at 0xCF8 is CONFIG_ADDRESS
 * (PCI 3.0 3.2.2.3.2); a byte or word there is plain I/O, so a word at
 * 0xCF8 writes the Reset Control Register with its high byte.  Any write
 * of RST_CPU is refused, whatever the current value (the reset starts on
 * its 0-to-1 edge, and Kestrel does not know the register's state). */
static enum reset_path reset_control(uint16_t port, unsigned size, uint8_t b)
{
    if (port == PCI_CONFIG_ADDRESS_PORT && size == 4)
        return RESET_PATH_NONE;
    return (b & RESET_CONTROL_RST_CPU) != 0 ? RESET_PATH_CF9 : RESET_PATH_NONE;
}

static enum reset_path reset_byte(struct kbc_watch *kbc, uint16_t port, unsigned size,
                                  uint16_t at, uint8_t b)
{
    switch (at) {
    case KBC_DATA_PORT:
        return kbc_data(kbc, b);
    case KBC_COMMAND_PORT:
        return kbc_command(kbc, b);
    case SYSTEM_CONTROL_PORT_A:
        /* Bit 0 set resets (or INITs, on ICH): refuse any write of it. */
        return (b & PORT_A_FAST_RESET) != 0 ? RESET_PATH_PORT92 : RESET_PATH_NONE;
    case RESET_CONTROL_PORT:
        return reset_control(port, size, b);
    default:
        return RESET_PATH_NONE;
    }
}

enum reset_path reset_write(struct kbc_watch *kbc, uint16_t port, unsigned size,
                            uint32_t value)
{
    struct kbc_watch none = { .output_port_next = false };

    if (kbc == NULL)
        kbc = &none;
    if (!io_size_valid(size))
        return RESET_PATH_NONE;
    for (unsigned i = 0; i < size; i++) {
        uint16_t at = (uint16_t)(port + i);
        uint8_t b = (uint8_t)((value >> (i * BYTE_BITS)) & BYTE_MASK);
        enum reset_path p = reset_byte(kbc, port, size, at, b);

        if (p != RESET_PATH_NONE)
            return p;
    }
    return RESET_PATH_NONE;
}
