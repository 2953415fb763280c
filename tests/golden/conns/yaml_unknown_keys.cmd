check _names.flux --connections _keys.yaml
