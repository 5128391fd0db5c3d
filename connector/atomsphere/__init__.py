"""The only room that knows Boomi's wire format: the catalog, XML/JSON shapes and the client."""
