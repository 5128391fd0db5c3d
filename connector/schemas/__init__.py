"""JSON Schemas of the files users write (plugin descriptor, operations, connections, processes)."""
