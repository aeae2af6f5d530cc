"""Short ids: 7 random characters of shortuuid's default alphabet.

The alphabet (57 characters) leaves out look-alikes such as 0/O and 1/l/I, so an
id read aloud or off paper is typed right. 57**7 is about 1.95e12 ids: at a
million links a fresh id collides with odds of about 1 in 2 million, and every
write is conditional, so a collision costs a retry, never an overwritten link.
"""

import shortuuid

SHORT_ID_LENGTH = 7

_generator = shortuuid.ShortUUID()  # random() draws from the `secrets` module


def new_short_id() -> str:
    short_id: str = _generator.random(length=SHORT_ID_LENGTH)
    return short_id
