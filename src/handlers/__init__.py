"""The Lambda functions' code: one module per function (shorten, redirect, links) and
what they share.

Each function module turns the garbage collector off at its top and, once loaded,
freezes what it loaded and turns it back on. Lambda imports one function module per
execution environment and all it loads lives as long as the environment, so
collecting garbage while it loads is wasted work: ~60 ms of the shortener's cold
start and ~20 ms of the redirect's (`make bench`).
"""
