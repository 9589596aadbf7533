// Command goplugin_bench is both sides of the go-plugin peer
// (bench/peer_goplugin.c): HashiCorp's go-plugin, the plugin system of
// Terraform, Vault, Packer and Nomad, calling a method of a plugin
// process as its users write it.
//
//	goplugin_bench               the host: starts two plugins (itself, as
//	                             below), one over each protocol, then times
//	                             calls on request
//	goplugin_bench plugin-netrpc a plugin over net/rpc, go-plugin's default
//	goplugin_bench plugin-grpc   a plugin over gRPC (protobuf messages of
//	                             bench/peer/echo.proto)
//
// The host reads lines "netrpc N" or "grpc N" on its standard input, makes
// N calls of Echo.Call with a 64-byte request through that plugin, and
// answers with a line holding the nanoseconds they took ("error ..." if a
// call failed or came back wrong). It says "ready" once both plugins
// answer, and stops them and exits when its standard input ends.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/rpc"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"facetbench/benchpb"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Echo is the plugin's interface.
type Echo interface {
	Call(data []byte) ([]byte, error)
}

// echo answers with the request's first 8 bytes (a little-endian counter)
// plus one and the rest as it came, as every peer of bench/ does.
type echo struct{}

func (echo) Call(data []byte) ([]byte, error) {
	if len(data) >= 8 {
		binary.LittleEndian.PutUint64(data, binary.LittleEndian.Uint64(data)+1)
	}
	return data, nil
}

// ---- net/rpc, go-plugin's default protocol ----

type echoRPCClient struct{ client *rpc.Client }

func (e *echoRPCClient) Call(data []byte) ([]byte, error) {
	var reply []byte
	err := e.client.Call("Plugin.Call", data, &reply)
	return reply, err
}

type echoRPCServer struct{ impl Echo }

func (s *echoRPCServer) Call(data []byte, reply *[]byte) error {
	r, err := s.impl.Call(data)
	*reply = r
	return err
}

type echoNetRPCPlugin struct{ impl Echo }

func (p *echoNetRPCPlugin) Server(*plugin.MuxBroker) (interface{}, error) {
	return &echoRPCServer{impl: p.impl}, nil
}

func (p *echoNetRPCPlugin) Client(_ *plugin.MuxBroker, c *rpc.Client) (interface{}, error) {
	return &echoRPCClient{client: c}, nil
}

// ---- gRPC ----

type echoGRPCClient struct{ client benchpb.EchoClient }

func (e *echoGRPCClient) Call(data []byte) ([]byte, error) {
	reply, err := e.client.Call(context.Background(), &benchpb.Payload{Data: data})
	if err != nil {
		return nil, err
	}
	return reply.Data, nil
}

type echoGRPCServer struct{ impl Echo }

func (s *echoGRPCServer) Call(_ context.Context, req *benchpb.Payload) (*benchpb.Payload, error) {
	data, err := s.impl.Call(req.Data)
	return &benchpb.Payload{Data: data}, err
}

type echoGRPCPlugin struct {
	plugin.Plugin
	impl Echo
}

func (p *echoGRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	benchpb.RegisterEchoServer(s, &echoGRPCServer{impl: p.impl})
	return nil
}

func (p *echoGRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return &echoGRPCClient{client: benchpb.NewEchoClient(c)}, nil
}

var handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "FACET_BENCH_PLUGIN",
	MagicCookieValue: "echo",
}

// ---- The host ----

func start(self string, protocol plugin.Protocol, logger hclog.Logger) (*plugin.Client, Echo, error) {
	var p plugin.Plugin
	arg := "plugin-netrpc"
	if protocol == plugin.ProtocolGRPC {
		p, arg = &echoGRPCPlugin{}, "plugin-grpc"
	} else {
		p = &echoNetRPCPlugin{}
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  handshake,
		Plugins:          map[string]plugin.Plugin{"echo": p},
		Cmd:              exec.Command(self, arg),
		AllowedProtocols: []plugin.Protocol{protocol},
		Logger:           logger,
	})
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, nil, err
	}
	raw, err := rpcClient.Dispense("echo")
	if err != nil {
		client.Kill()
		return nil, nil, err
	}
	return client, raw.(Echo), nil
}

var counter uint64

// calls makes n calls with a 64-byte request and checks every reply.
func calls(e Echo, n int) (time.Duration, error) {
	data := make([]byte, 64)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		c := counter
		counter++
		binary.LittleEndian.PutUint64(data, c)
		reply, err := e.Call(data)
		if err != nil {
			return 0, err
		}
		if len(reply) != 64 || binary.LittleEndian.Uint64(reply) != c+1 {
			return 0, errors.New("wrong reply")
		}
	}
	return time.Since(t0), nil
}

func host() int {
	logger := hclog.New(&hclog.LoggerOptions{Name: "goplugin_bench", Level: hclog.Error, Output: os.Stderr})
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "goplugin_bench:", err)
		return 1
	}
	plugins := map[string]Echo{}
	for name, protocol := range map[string]plugin.Protocol{"netrpc": plugin.ProtocolNetRPC, "grpc": plugin.ProtocolGRPC} {
		client, e, err := start(self, protocol, logger)
		if err != nil {
			fmt.Fprintf(os.Stderr, "goplugin_bench: the %s plugin: %v\n", name, err)
			plugin.CleanupClients()
			return 1
		}
		defer client.Kill()
		if _, err := calls(e, 1); err != nil {
			fmt.Fprintf(os.Stderr, "goplugin_bench: the %s plugin: %v\n", name, err)
			plugin.CleanupClients()
			return 1
		}
		plugins[name] = e
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "ready")
	out.Flush()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		var n int
		if len(f) == 2 {
			n, err = strconv.Atoi(f[1])
		}
		e, ok := plugins[f[0]]
		if len(f) != 2 || err != nil || n <= 0 || !ok {
			fmt.Fprintf(out, "error bad request %q\n", in.Text())
		} else if d, err := calls(e, n); err != nil {
			fmt.Fprintf(out, "error %s: %v\n", f[0], err)
		} else {
			fmt.Fprintln(out, d.Nanoseconds())
		}
		out.Flush()
	}
	return 0
}

func main() {
	if len(os.Args) == 2 {
		switch os.Args[1] {
		case "plugin-netrpc":
			plugin.Serve(&plugin.ServeConfig{
				HandshakeConfig: handshake,
				Plugins:         map[string]plugin.Plugin{"echo": &echoNetRPCPlugin{impl: echo{}}},
			})
			return
		case "plugin-grpc":
			plugin.Serve(&plugin.ServeConfig{
				HandshakeConfig: handshake,
				Plugins:         map[string]plugin.Plugin{"echo": &echoGRPCPlugin{impl: echo{}}},
				GRPCServer:      plugin.DefaultGRPCServer,
			})
			return
		}
	}
	if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: goplugin_bench [plugin-netrpc | plugin-grpc]")
		os.Exit(2)
	}
	os.Exit(host())
}
