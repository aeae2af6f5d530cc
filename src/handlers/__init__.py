"""The Lambda functions' code: one module per function (shorten, redirect, links) and
what they share."""
