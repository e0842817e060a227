/** batch/v1: jobs and cron jobs. Generated from the API model files. */
@Export
@Version("0.1.0")
package io.bosun.api.batch.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
