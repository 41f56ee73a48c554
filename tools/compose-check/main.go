// compose-check loads a Compose file with the Compose specification's reference loader
// (compose-go, the one docker compose uses): schema validation, interpolation, anchors and
// merges, depends_on targets. It prints the resolved services as JSON, or the loader's error
// and exits 1. herald's tests run it on docker-compose.yml.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

type service struct {
	Image     string   `json:"image"`
	DependsOn []string `json:"dependsOn"`
	Profiles  []string `json:"profiles"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(
		[]string{os.Args[1]},
		cli.WithOsEnv,
		cli.WithName("compose-check"),
		cli.WithResolvedPaths(true),
	)
	if err == nil {
		err = run(options)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func run(options *cli.ProjectOptions) error {
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}
	// Services of every profile: the loader drops those of inactive profiles.
	project, err = project.WithProfiles([]string{"*"})
	if err != nil {
		return err
	}
	services := map[string]service{}
	for name, s := range project.Services {
		deps := []string{}
		for dep := range s.DependsOn {
			deps = append(deps, dep)
		}
		sort.Strings(deps)
		profiles := s.Profiles
		if profiles == nil {
			profiles = []string{}
		}
		services[name] = service{Image: s.Image, DependsOn: deps, Profiles: profiles}
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"services": services})
}
