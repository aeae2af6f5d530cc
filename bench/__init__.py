"""`python -m bench`: the shortener's performance, measured side by side in one run.

Every figure that depends on how fast this machine is comes as a ratio to a baseline
measured in the same run, interleaved with it, so a busy or slow machine slows both
sides alike. The parts:

- cold_start: import and initialise each handler in a fresh interpreter, against one
  that only builds a bare botocore DynamoDB client;
- warm: the redirect handler in-process against DynamoDB Local, against the raw
  UpdateItem it sends; round_trips: DynamoDB requests per operation, counted by hooks;
- sizes: what `sam build` made (layer and function code); redirect_cost: the cost
  model's price of a million redirects.

report turns the results into docs/benchmarks.md.
"""
