check _names.flux --connections _syntax.yaml
