# METADATA
# title: Agility factor tests
# description: Each agility rule fires on the input it is about and stays quiet otherwise, with the start-up SLA boundaries pinned.
package advise.factors.agility_test

import data.advise.factors.agility
import data.advise.lib
import data.advise.lib_test

_startup_subsecond := {
	"rule": "agility.startup_subsecond",
	"title": "Sub-second start-up",
	"favors": "container",
	"weight": 35,
	"conflict_side": "container",
	"summary": "A container starts in milliseconds because there is no guest operating system to boot, while a virtual machine needs minutes, so only containers can meet a start-up SLA of a second or less.",
	"summary_zh": "容器无需引导客户机操作系统，可在毫秒级启动，而虚拟机需要数分钟，因此只有容器能满足一秒以内的启动要求。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "第一次接触Docker的时候",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "Docker守护进程可以直接与主操作系统进行通信",
		},
		{
			"source": "004_c47ec412e6d24774.txt",
			"title": "容器技术实战学习报告",
			"locator": "Docker守护进程可以直接与主操作系统进行通信",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 部署和启动时间",
		},
	],
}

_startup_seconds := {
	"rule": "agility.startup_seconds",
	"title": "Start-up within seconds",
	"favors": "container",
	"weight": 20,
	"conflict_side": "container",
	"summary": "Containers are up in seconds while virtual machines take minutes to boot their operating system, so a start-up SLA under a minute favours containers.",
	"summary_zh": "容器可在数秒内就绪，虚拟机引导操作系统则需数分钟，因此一分钟以内的启动要求更适合容器。",
	"citations": [
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "docker starts up quickly in seconds",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器与虚拟机之间的区别 — 因为虚拟机包括操作系统",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 部署和启动时间",
		},
	],
}

_high_density := {
	"rule": "agility.high_density",
	"title": "High density",
	"favors": "container",
	"weight": 25,
	"conflict_side": "container",
	"summary": "Containers carry no guest operating system (a VM guest can weigh hundreds of megabytes before the application), so far more instances fit on the same hardware.",
	"summary_zh": "容器不携带客户机操作系统（一台虚拟机的客户机系统在应用之外就可能占用数百 MB），因此同样的硬件上可以容纳多得多的实例。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "从操作系统(Guest Operating System)",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "docker is lighter",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "总结",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器与虚拟机之间的区别 — 因为虚拟机包括操作系统",
		},
	],
}

_elastic_scaling := {
	"rule": "agility.elastic_scaling",
	"title": "Elastic scaling",
	"favors": "container",
	"weight": 25,
	"conflict_side": "container",
	"summary": "Containers are allocated in milliseconds rather than minutes, so instances can be added, rebalanced and released as load changes.",
	"summary_zh": "容器以毫秒级而非分钟级分配，能够随负载变化快速增加、重新平衡和释放实例。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "容器需要毫秒分配,虚拟机需要几分钟",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "总结",
		},
	],
}

_microservices := {
	"rule": "agility.microservices",
	"title": "Microservices",
	"favors": "container",
	"weight": 20,
	"conflict_side": "none",
	"summary": "Running one service per container lets each service be upgraded on its own and makes its performance, failures and cost easier to watch.",
	"summary_zh": "每个容器只运行一个服务，使各服务可以独立升级，其性能、故障影响和成本也更容易观察。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "总结",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "如果每个容器运行的只有一个服务或者数据库",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的优点 — 2. 提高生产力",
		},
	],
}

_frequent_releases := {
	"rule": "agility.frequent_releases",
	"title": "Frequent releases",
	"favors": "container",
	"weight": 15,
	"conflict_side": "none",
	"summary": "Container images are versioned and the Dockerfile records how each one is built, so frequent releases stay reproducible and roll out quickly.",
	"summary_zh": "容器镜像自带版本，Dockerfile 记录了构建过程，因此频繁发布依然可复现且能快速铺开。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的优点 — 3. 版本控制",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "Delivery, deployment",
		},
	],
}

_environment_drift := {
	"rule": "agility.environment_drift",
	"title": "Environment drift between stages",
	"favors": "container",
	"weight": 20,
	"conflict_side": "none",
	"summary": "A container image carries the application together with its runtime, libraries and OS layer, so development, test and production run the same thing.",
	"summary_zh": "容器镜像把应用连同其运行时、依赖库和操作系统层一起打包，开发、测试与生产运行的是同一份内容。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器解决了哪些问题呢?",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的优点 — 4. 运行环境可移植",
		},
	],
}

_near_native_performance := {
	"rule": "agility.near_native_performance",
	"title": "Near bare-metal performance",
	"favors": "container",
	"weight": 15,
	"conflict_side": "none",
	"summary": "Containers have no hypervisor layer and no guest kernel between the application and the hardware, so they run close to bare-metal speed.",
	"summary_zh": "容器与硬件之间没有 Hypervisor 层和客户机内核，运行性能接近裸机。",
	"citations": [
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "From an architectural point of view",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 性能",
		},
	],
}

_with(overrides) := object.union(lib_test.base_input, overrides)

_reasons_for(overrides) := rs if {
	rs := lib.present(agility.reasons) with input as _with(overrides)
}

test_base_input_fires_nothing if {
	count(lib.present(agility.reasons)) == 0 with input as lib_test.base_input
}

test_agility_has_no_constraints_or_warnings if {
	inp := _with({"startup_sla_ms": 1, "density": "high", "scaling": "elastic", "architecture": "microservices"})
	not agility.constraints with input as inp
	not agility.warnings with input as inp
}

test_startup_subsecond_fires_at_1_ms if {
	_reasons_for({"startup_sla_ms": 1}) == {_startup_subsecond}
}

test_startup_subsecond_fires_at_1000_ms if {
	_reasons_for({"startup_sla_ms": 1000}) == {_startup_subsecond}
}

test_startup_subsecond_not_at_1001_ms if {
	_reasons_for({"startup_sla_ms": 1001}) == {_startup_seconds}
}

test_startup_not_without_an_sla if {
	count(_reasons_for({})) == 0
}

test_startup_seconds_fires_at_59999_ms if {
	_reasons_for({"startup_sla_ms": 59999}) == {_startup_seconds}
}

test_startup_seconds_not_at_60000_ms if {
	count(_reasons_for({"startup_sla_ms": 60000})) == 0
}

test_startup_seconds_not_for_a_day if {
	count(_reasons_for({"startup_sla_ms": 86400000})) == 0
}

test_high_density_fires if {
	_reasons_for({"density": "high"}) == {_high_density}
}

test_high_density_not_for_medium if {
	count(_reasons_for({"density": "medium"})) == 0
}

test_high_density_not_for_low if {
	count(_reasons_for({"density": "low"})) == 0
}

test_elastic_scaling_fires if {
	_reasons_for({"scaling": "elastic"}) == {_elastic_scaling}
}

test_elastic_scaling_not_for_static if {
	count(_reasons_for({"scaling": "static"})) == 0
}

test_microservices_fires if {
	_reasons_for({"architecture": "microservices"}) == {_microservices}
}

test_microservices_not_for_monolith if {
	count(_reasons_for({"architecture": "monolith"})) == 0
}

test_microservices_not_for_batch if {
	count(_reasons_for({"architecture": "batch"})) == 0
}

test_frequent_releases_fires_for_weekly if {
	_reasons_for({"release_frequency": "weekly"}) == {_frequent_releases}
}

test_frequent_releases_fires_for_daily if {
	_reasons_for({"release_frequency": "daily"}) == {_frequent_releases}
}

test_frequent_releases_not_for_monthly if {
	count(_reasons_for({"release_frequency": "monthly"})) == 0
}

test_frequent_releases_not_for_rare if {
	count(_reasons_for({"release_frequency": "rare"})) == 0
}

test_environment_drift_fires if {
	_reasons_for({"env_drift_pain": true}) == {_environment_drift}
}

test_environment_drift_not_without_pain if {
	count(_reasons_for({"env_drift_pain": false})) == 0
}

test_near_native_performance_fires if {
	_reasons_for({"performance_sensitive": true}) == {_near_native_performance}
}

test_near_native_performance_not_without_it if {
	count(_reasons_for({"performance_sensitive": false})) == 0
}

test_all_agility_rules_together if {
	_reasons_for({
		"startup_sla_ms": 500,
		"density": "high",
		"scaling": "elastic",
		"architecture": "microservices",
		"release_frequency": "daily",
		"env_drift_pain": true,
		"performance_sensitive": true,
	}) == {
		_startup_subsecond, _high_density, _elastic_scaling, _microservices,
		_frequent_releases, _environment_drift, _near_native_performance,
	}
}
