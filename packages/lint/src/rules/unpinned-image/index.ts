import { hasPebble } from "@flowops/flow-model";
import type { Rule } from "../../types.js";

/** The tag of an image reference (`registry:5000/repo/name:tag@sha256:...`), `digest`, or undefined when it has none. */
export function imageTag(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/i.test(image) || image.includes("@")) return "digest";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  return colon < 0 ? undefined : lastSegment.slice(colon + 1);
}

/** A container image with no tag, or with `latest`: what runs changes without a change in Git. */
export const unpinnedImage: Rule = {
  meta: {
    id: "unpinned-image",
    description: "A container image without a pinned tag or digest (`latest` or none)",
    defaultSeverity: "warning",
    docs: "packages/lint/src/rules/unpinned-image/README.md",
    messages: {
      noTag: "Image '{{image}}' has no tag, so it means ':latest'; pin a version tag or a digest (e.g. '{{image}}:1.2.3')",
      latest: "Image '{{image}}' uses the moving tag 'latest'; pin a version tag or a digest",
    },
  },
  visitFlow({ report }) {
    return {
      image({ image: written, path }) {
        const image = written.trim();
        if (image === "" || hasPebble(image) || image.includes("${")) return;
        const tag = imageTag(image);
        if (tag === undefined) report({ messageId: "noTag", path, data: { image } });
        else if (tag === "latest") report({ messageId: "latest", path, data: { image } });
      },
    };
  },
};
