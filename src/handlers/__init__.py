"""The Lambda functions' code: one module per function (shorten, redirect, links) and
what they share.

Lambda imports exactly one function module per execution environment, and everything
it loads lives as long as the environment. Collecting garbage while it loads is wasted
work (~60 ms of the shortener's cold start, ~20 ms of the redirect's: `make bench`), so
the collector is off from here until the function module has loaded; each one then
freezes what it loaded, out of every later collection's way, and turns the collector
back on (see the end of each). Importing only a shared module (a test may) leaves it
off until a function module loads.
"""

import gc

gc.disable()
