# herald worker, CLI and tailer image. The workflow bundle is prebuilt so workers start without webpack.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
RUN node bin/herald worker build-bundle
ENV HERALD_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
ENTRYPOINT ["node", "bin/herald"]
CMD ["worker"]
