"""`coopreg chaos`: proof under faults.

A seeded month of POS traffic with bad inputs (`scenario`), the outcome it must have computed by the pure
domain rules (`oracle`), the services run as real processes (`fleet`) while processes are killed and the
broker and database restarted (`faults`), and what the register ended with (`observe`) compared with the
oracle (`verdict`). `runner` ties them together on a stack of its own (`stack`).
"""
