check ../../../examples/umb_uploader/umb_uploader.flux --connections ../../../examples/umb_uploader/flux.yaml
