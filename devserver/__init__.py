"""The docker-free local stack behind `make dev`: template.yaml's routes, the real handlers, a local DynamoDB."""
