check _names.flux --connections _no_such.yaml
