"""template.yaml as a model: the document, its intrinsics resolved as a local stack has
them, and what it declares (functions, routes, tables).

One reader for everyone who asks what the template says: the devserver (`make dev`)
runs it, bench/ measures it, tests check against it.
"""
