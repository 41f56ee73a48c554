# herald worker, CLI and tailer image. The workflow bundle is prebuilt so workers start without webpack.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# A larger young generation for the worker's short-lived rows (bench/README.md: −10 % per cycle).
ENV NODE_OPTIONS=--max-semi-space-size=64
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
RUN node bin/herald worker build-bundle
ENV HERALD_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
ENTRYPOINT ["node", "bin/herald"]
CMD ["worker"]
