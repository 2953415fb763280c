check ../../../examples/provenance/provenance.flux --connections ../../../examples/provenance/flux.yaml
