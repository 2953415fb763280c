check ../../../examples/umb_uploader/umb_uploader.flux
