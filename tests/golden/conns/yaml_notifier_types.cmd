check _plain.flux --connections _notifier_types.yaml
