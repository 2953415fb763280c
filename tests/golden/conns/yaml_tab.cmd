check _names.flux --connections _tab.yaml
