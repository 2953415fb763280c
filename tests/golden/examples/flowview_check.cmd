check ../../../examples/flowview/flowview.flux --connections ../../../examples/flowview/flux.yaml
