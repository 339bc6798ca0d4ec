package main

import (
	"context"
	"fmt"
	"io"

	"oscsim/configs"
)

const configsUsage = `
Usage: oscsim configs [NAME]

Lists the embedded example chips, or prints one (to copy and edit).

Examples:
  oscsim configs
  oscsim configs shil-binarize > my-chip.toml
`

func runConfigs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("configs", configsUsage, stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		for _, n := range configs.Names() {
			fmt.Fprintln(stdout, n)
		}
		return nil
	}
	src, err := configs.Read(embeddedName(pos[0]))
	if err != nil {
		return err
	}
	_, err = stdout.Write(src)
	return err
}
