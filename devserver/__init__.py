"""The docker-free local stack behind `make dev`.

template.yaml's routes, the real handlers, a local DynamoDB: see `python -m devserver --help`.
"""

# Everything the devserver starts listens here only: nothing it runs is meant for the LAN.
LOOPBACK = "127.0.0.1"
