check _names.flux --connections _types.yaml
