package provider

import (
	"context"
	"errors"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/algorithmia"
)

// createSettled sends a create request (a POST) through the client's Settle: when its answer
// is lost, exists reads the cluster, and the request is sent again only if nothing is there.
// lost is the lost answer's error when the object was found after it: the caller then treats
// it as a create without an answer, and adopts the object if it equals what was sent
// (adoptionReason). Any other outcome is err, as the last attempt returned it.
func createSettled(ctx context.Context, cc *clusterClient, create func(context.Context) error, exists func(context.Context) (bool, error)) (lost, err error) {
	err = cc.api.Settle(ctx, func(ctx context.Context) error {
		lost = create(ctx)
		return lost
	}, exists)
	if err != nil || !algorithmia.MayHaveActed(lost) {
		return nil, err
	}
	return lost, nil
}

// exists turns a read into Settle's question "is it there": found, not found, or an error.
func exists[T any](_ T, err error) (bool, error) {
	if errors.Is(err, algorithmia.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
